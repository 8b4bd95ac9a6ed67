namespace OptOut.Core.Intent.Phrases;

/// <summary>English revocation phrases (see <see cref="PhraseSet"/> for the syntax and <see cref="RevocationDetector"/> for how they are read).</summary>
internal static class EnglishPhrases
{
    // What a contact asks us to stop doing, and what they call our messages.
    private const string Doing = "TEXT~|TXT~|MESSAG~|MSG~|MSSG~|SEND~|CONTACT~|CALL~|SPAM~|BOTHER~|HARASS~|EMAIL~|SMS~|HIT~|BLOW~|BUG~|PESTER~|REACH~|WRITING|DMING|REMIND~|NOTIFY~|ALERT~|BLAST~|BOMBARD~";
    private const string Messages = "TEXT~|TXT~|TXTS|MESSAG~|MSG~|MSGS|SMS|SPAM~|ALERT~|NOTIFICATION~|UPDATES|REMINDERS|PROMO~|ADS|CALLS|JUNK|SOLICITATION~";
    private const string Please = "PLEASE|PLS|PLZ|PLEASEE|PLEEASE|KINDLY";
    private const string Number = "NUMBER|NUMBR|NUM|NMBR|#|PHONE|CELL|INFO|NAME|CONTACT|DETAILS|DATA";

    public static PhraseSet Create() => new(
        "en",
        substrings: false,
        revocations:
        [
            // Stop, quit, cancel, end … our texts.
            ($"STOP ?IT ?ME|US ?WITH ?THE|THESE|THIS|THOSE|YOUR|UR|ALL|ANY|THAT {Doing}", 0.95),
            ($"STOP ?ALL|THE|THESE|THIS|THOSE|YOUR|UR|ANY|UR {Messages}", 0.95),
            ($"QUIT {Doing}", 0.95),
            ($"CANCEL ?ALL|MY|THE|THESE|THIS|THEM|ANY|UR|YOUR {Messages}", 0.9),
            ($"CANCEL ?MY|THE|THIS SUBSCRIPTION ** {Messages}", 0.9),
            ("CANCEL ?MY|THE|THIS SUBSCRIPTION", 0.6),
            ($"END ?ALL|THE|THESE|THIS|MY|YOUR|UR {Messages}", 0.85),
            ("DISCONTINU~", 0.85),
            // STOP as a keyword with words around it: "STOP. Who is this?", "stop please", "Yes stop", "so STOP".
            ("^STOP !", 0.9),
            ($"^STOP {Please}|NOW|IT|ALREADY|THANKS|THX|ASAP|IMMEDIATELY|WHO|WRONG|RIGHT|FOREVER|AGAIN|STOP|OK|OKAY", 0.9),
            ($"^YES|OK|OKAY|JUST|{Please}|SO|NOW|NO|NOPE|NAH|SERIOUSLY|STOPSTOP STOP $ #4", 0.9),
            ($"{Please}|JUST|NOW|SO|SAID|SAY|REPLIED|TEXTED|TYPED|SENT|TOLD|YOU|U|THEN|ALREADY|STOP|THIS STOP $", 0.9),
            ("STOP $ #6", 0.85),
            ("STOP $", 0.65),
            ("TELL~|TOLD|ASKED|ASK ?YOU|U|YALL|YA ?ALL ?TO STOP", 0.9),
            ("REPLIED|TEXTED|SAID|SENT|TYPED ?STOP * TIMES|TWICE|ALREADY|BEFORE", 0.85),
            ("REPLIED|TEXTED|SAID|SENT|TYPED STOP", 0.85),
            ("MAKE IT STOP", 0.9),
            ("UNSUB", 0.9),
            ("UNSUBSCRIBE~", 0.95),
            ("OPT ?ME|MYSELF|US|THIS|MY OUT", 0.95),
            ("OPTING OUT", 0.95),
            ("OPTOUT~", 0.95),
            ("UNFOLLOW|UNENROLL~|UNREGISTER~|DEREGISTER~|UNJOIN", 0.9),
            // Remove me, take me off, delete my number.
            ("REMOVE ?ME|MY|US|THIS|MI ** FROM|OFF ** LIST~|DATABASE|CONTACTS|SYSTEM|LOOP|THING|TEXT~|MESSAG~|MSG~|SMS|ALERT~|CAMPAIGN~|PROGRAM", 0.95),
            ($"REMOVE ME|US ?NOW|{Please}|THANKS|THX $", 0.95),
            ("REMOVE ME|US", 0.75),
            ($"REMOVE ?MY|THIS|THE|MI {Number}", 0.9),
            ("TAKE|GET ?ME|US OFF $", 0.95),
            ($"TAKE|GET ?ME|US OFF NOW|{Please}|THANKS|THX|ALREADY", 0.95),
            ("TAKE|GET ME|US OFF * LIST~|TEXT~|MESSAG~|THIS|THESE|YOUR|UR|THING|DATABASE", 0.95),
            ("TAKE|GET ME|US OFF", 0.7),
            ($"TAKE ?MY|THIS|THE {Number} OFF", 0.9),
            ("OFF ?OF YOUR|THE|THIS|UR|YA ?MAILING|TEXTING|CONTACT|TEXT|SMS|CALL|DAMN|F ?LIST~", 0.9),
            ($"DELETE|ERASE|LOSE|DROP|REMOVE ?ME|MY|THIS ** {Number}", 0.95),
            ("DELETE|ERASE|DROP ME", 0.9),
            // Don't text me, no more texts.
            ($"DONT|DNT|DONOT|NEVER ?EVER ?AGAIN {Doing} ?ME|THIS|MY|US|HERE", 0.9),
            ($"DO NOT ?EVER ?AGAIN {Doing} ?ME|THIS|MY|US|HERE", 0.9),
            ($"DONT|NEVER ?WANT|NEED ?ANY|YOUR|THESE|THIS|UR ?MORE {Messages}", 0.9),
            ($"DO NOT WANT|NEED ?ANY|YOUR|THESE|THIS|UR ?MORE {Messages}", 0.9),
            ($"DONT|NEVER WANT|WISH ?TO ?KEEP RECEIV~|GET~|GETTING ** {Messages}", 0.9),
            ($"NO MORE ?OF ?THESE|THIS|YOUR|UR {Messages}", 0.95),
            ("^NO MORE ?PLEASE|PLS|THANKS $", 0.9),
            ("NO MORE $ #3", 0.9),
            ($"NOT ?WANT~ ?TO ?RECEIV~|GET ?ANY|THESE|YOUR|UR ?MORE {Messages}", 0.85),
            ($"NO LONGER WANT|WISH|NEED ** {Messages}", 0.9),
            ("NO LONGER HAVE|GIVE ** PERMISSION|CONSENT", 0.95),
            // Wrong number and the like: the person never consented.
            ("WRONG NUMBER|NUMBR|NUM|#|NMBR|PERSON|GUY|LADY|CELL|PHONE|NO", 0.95),
            ("^WRONG !", 0.9),
            ("NOT THE RIGHT|CORRECT NUMBER|PERSON", 0.9),
            ("NOT THE PERSON|GUY|LADY|ONE YOURE|YOU|YOU RE", 0.9),
            ("NO ONE|NOBODY|NOONE ?HERE ?BY ?THAT|THE NAME|NAMED|CALLED", 0.85),
            ("WHOEVER|WHOMEVER ?YOU YOURE|ARE|RE ?LOOKING|TRYING ?FOR|TO", 0.85),
            ("DOESNT|DOES NOT|NO LONGER HAVE|OWN|USE|LIVE ** NUMBER|HERE|PHONE", 0.85),
            ("THIS IS NOT|ISNT|AINT ?THE|MY ?NUMBER|PHONE FOR|OF", 0.85),
            ("^THIS ISNT|AINT * $ #3", 0.85),
            ("^IM NOT * $ #4", 0.7),
            ("^I AM NOT * $ #5", 0.7),
            ("YOU HAVE|GOT|HAVE GOT THE WRONG", 0.95),
            // Leave me alone, revoke, withdraw consent.
            ("LEAVE ME|US ** ALONE", 0.95),
            ("REVOK~", 0.95),
            ("WITHDRAW~ ?MY|ALL|ANY ?OF CONSENT|PERMISSION|AUTHORIZATION", 0.95),
            ("NO|NOT CONSENT~", 0.85),
            ("DONT|NEVER CONSENT~|AGREE~|AUTHORIZ~", 0.85),
            ("DO NOT CONSENT~|AGREE~|AUTHORIZ~", 0.85),
            ("DO NOT CONTACT|DISTURB", 0.9),
            ("GO AWAY", 0.85),
            ("GTFO|FO", 0.85),
            ("GET OFF MY PHONE|CASE|BACK", 0.85),
            ("QUIT IT", 0.9),
            ("ENOUGH ALREADY", 0.85),
            ("^ENOUGH !", 0.85),
            ($"ENOUGH ?WITH ?THE|THESE|YOUR|UR {Messages}", 0.7),
            ("BLOCK~ ?YOUR|THIS|UR NUMBER|YOU|U", 0.8),
            ("REPORT~ ** SPAM|FCC|ATTORNEY|LAWYER|AG", 0.8),
            ("CALL~ ** LAWYER|ATTORNEY|POLICE|COPS|FCC", 0.8),
            // Broad: a stop-verb and what we send, within a few words ("can you guys quit with the daily texts").
            ($"STOP|STOPPING|QUIT|CEASE|HALT|CANCEL|DISCONTINUE|PAUSE|BLOCK ** {Messages}", 0.85),
            ($"REMOVE|DELETE|ERASE|DROP|UNSUBSCRIBE|EXCLUDE|TAKE|SCRUB|PURGE ** FROM|OFF ** LIST~|DATABASE|CONTACTS|SYSTEM|{Messages}", 0.9),
            ($"NOT ** WANT|NEED|WISH ** {Messages} ** ANYMORE|NO MORE|LONGER", 0.85),
            ($"{Messages} ** NO MORE|ANYMORE|STOP $", 0.8),
            ("HOW ** GET|BE ** OFF|REMOVED|UNSUBSCRIBED|OUT", 0.85),
            ("HOW ** STOP|UNSUBSCRIBE|OPT|END ** THESE|THIS|THEM|IT|TEXTS|MESSAGES", 0.85),
            // Possible revocations: a reasonable person could read them either way.
            ("NOT INTERESTED|INTRESTED|INTERESTD", 0.6),
            ("NO THANK~|THX|THNX", 0.55),
            ("^NAH|NOPE ?IM|I AM ?GOOD|OK|FINE", 0.5),
            ("HOW|WHERE|WHY ** GET|GOT|HAVE|FIND ?MY|THIS NUMBER|#|NUMBR|INFO|CONTACT", 0.6),
            ("WHO GAVE ?YOU|U MY|THIS ?NUMBER|#|INFO", 0.6),
            ($"TOO|SO MANY {Messages}", 0.6),
            ($"LESS|FEWER ** {Messages}", 0.55),
            ("LESS OFTEN", 0.55),
            ("NEVER|DIDNT SIGN~|SUBSCRIB~|OPT~|AGREE~|ASK~|REGISTER~|GIVE|GAVE", 0.6),
            ("DID NOT SIGN~|SUBSCRIB~|OPT~|AGREE~|ASK~|REGISTER~|GIVE|GAVE", 0.6),
            ("^SPAM|SCAM|SPAMMER|SPAMMERS|BLOCKED|REPORTED $ #2", 0.6),
            ("^BYE|PASS|GOODBYE $ #2", 0.5),
            ("NOT A CUSTOMER|MEMBER|SUPPORTER|RESIDENT|VOTER", 0.55),
            ("DONT|DO NOT LIVE ** ANYMORE|THERE|DISTRICT|AREA|STATE", 0.5),
            ("NUMBER CHANGED|CHANGE", 0.5),
        ],
        blocks:
        [
            "STOP BY|IN|OVER|AT|SIGN~|LIGHT~|AND|LOSS|WATCH|GAP|HERE|THERE|FOR|ON|AROUND|OFF|THROUGH|UP|THE|THIS|THAT|THEM|HIM|HER|OUR|THEIR|HIS|THESE|THOSE",
            "BUS|TRUCK|PIT|FULL|NEXT|LAST|FIRST|ONE|NON|WHISTLE|TRAIN|REST|SUBWAY|TRAM|ONLY|EACH|EVERY|1ST|2ND|3RD STOP~",
            "TO|CAN|WILL|WOULD|COULD|SHOULD|MIGHT|ILL|ID|LETS|MUST|GOTTA|HELP|GONNA STOP THE|THIS|THAT|THEM|HIM|HER|IT|OUR|THEIR|HIS",
            "CANT|COULDNT STOP THINKING|LAUGHING|TALKING",
            "UNSUBSCRIB~|OPT~|REMOVE~|TAKE|DELETE ** FROM|OF|OFF ** EMAIL~|NEWSLETTER~|MAIL|MAILS|MAILINGS|PAPER|BILL~|CATALOG~|PETITION|SCHEDULE|WAITLIST|ROSTER|SHIFT|CALENDAR|CARD|ACCOUNT|ORDER|CART|GROUP|CHAT",
            "OFF THE|THIS|MY|YOUR ** PETITION|SCHEDULE|WAITLIST|ROSTER|SHIFT|CALENDAR|TEAM|CARD|ACCOUNT|ORDER|CART|BILL",
            "BUT ** KEEP|STILL ** TEXT~|MESSAG~|SMS|ALERT~|COMING|SENDING|GETTING",
            "NOT THE TEXTS|MESSAGES|SMS|ALERTS",
            "IF ?I REPLY|TEXT|SAY|SEND|TYPE STOP",
            "SAYING|SAYS|SAID REPLY STOP",
            "REPLY STOP TO",
            "WHAT|HOW ** STOP|UNSUBSCRIBE|OPT OUT ** MEAN|DO|DOES|WORK|HAPPEN~",
            "STOP SENDING ME ?THE|A|AN|MY BILL|INVOICE|RECEIPT|PACKAGE|ORDER|LINK|CODE",
        ],
        negations:
        [
            "DONT|DOESNT|DIDNT|NEVER|CANT|CANNOT|WONT|NOT|SHOULDNT|MUSTNT|WOULDNT|COULDNT|ISNT|ARENT|WASNT|DNT",
            "DO|DOES|DID|WILL|WOULD|SHOULD|CAN|COULD NOT",
            "NO NEED|REASON TO",
        ],
        notNegations:
        [
            "WHY DONT|WONT|CANT|DIDNT|DOESNT|NOT|WOULDNT|DO|WILL|CAN",
            "DIDNT|DONT|HAVENT I|WE",
            "I DONT|DO NOT CARE|KNOW|REMEMBER",
            "DONT|NEVER|DO NOT|NOT ** EVER ** AGAIN",
            "NOT SURE|INTERESTED|HAPPY|OK|OKAY",
            "I DIDNT|NEVER SIGN|ASK|AGREE|CONSENT|SUBSCRIBE",
        ],
        typoTargets: ["STOP", "UNSUBSCRIBE", "REMOVE", "CANCEL", "OPTOUT", "TEXTING", "MESSAGES", "TEXTS", "NUMBER", "WRONG"],
        notTypos: ["SHOP", "STEP", "SLOP", "STOW", "SWOP", "ATOP", "STOA", "SOOP", "TOPS", "SPOT", "POTS", "STUB", "STOPS", "STOOD",
            "SCOP", "STOMP", "STOOL", "STORE", "STORY", "STORM", "STOCK", "SHOT", "SNOT", "SLOT", "STOPE", "CANCER", "CANDLE", "TEXAN",
            "MASSAGES", "NUMBED", "LUMBER", "NUMBERS", "TEXTED", "TESTS", "TENTS", "NEXTS", "TEXAS", "TEXT", "REMOVED", "REMOTE", "REMOVER",
            "STOPPED", "WRING", "WRONGS", "STRONG", "PRONG", "WRONGLY", "THONG", "TEST", "NEXT", "TEXTS"],
        fillers: ["PLEASE", "PLS", "PLZ", "PLEASEE", "NOW", "THANKS", "THANK", "YOU", "THX", "TY", "OK", "OKAY", "YES", "YEAH", "JUST",
            "ALREADY", "ASAP", "IMMEDIATELY", "FOREVER", "AGAIN", "SO", "THEN", "KINDLY", "ME", "ALL", "RIGHT", "NOW", "SIR", "MAAM", "GUYS", "YALL"],
        softeners:
        [
            // Conditions: not "stop", but "not like this": a person decides.
            ("SO|TOO|VERY EARLY|LATE|OFTEN|MUCH", 0.6),
            ("ON|AT|AFTER|BEFORE|DURING WEEKENDS|WEEKEND|NIGHT|NIGHTS|SUNDAYS|SATURDAYS|WORK|SCHOOL|9|10|11|8|7|6|MIDNIGHT", 0.6),
            ("ONLY|JUST ** ABOUT|FOR", 0.6),
        ]);
}
