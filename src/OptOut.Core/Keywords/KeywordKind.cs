namespace OptOut.Core.Keywords;

/// <summary>What a keyword asks for (CTIA: carriers require STOP and HELP to be answered, and honour START to resume).</summary>
public enum KeywordKind
{
    /// <summary>Stop texting me (STOP, ARRÊT, 退订…).</summary>
    OptOut,

    /// <summary>Resume texting me (START, UNSTOP…): only for a contact who opted themselves out.</summary>
    OptIn,

    /// <summary>Who is this and how do I stop it (HELP, INFO…): answered, no state change.</summary>
    Help,
}
