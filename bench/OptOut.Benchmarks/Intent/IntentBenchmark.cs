using System.Diagnostics;
using System.Globalization;
using OptOut.Core;
using OptOut.Core.Intent;

namespace OptOut.Benchmarks.Intent;

/// <summary>
/// <c>intent</c>: how well the service reads what a text asks for, on the labelled corpus (precision and recall per
/// label, tier and language, every mistake listed), and what reading costs per text on the realistic mix (nine
/// ordinary replies to one opt-out) beside the keyword lookup alone, measured in the same run.
/// </summary>
internal static class IntentBenchmark
{
    public static readonly BenchmarkCommand Command = new(
        "intent",
        "Opt-out / opt-in / help / possible-revocation detection on the labelled corpus: precision, recall, mistakes, cost per text.",
        [
            new("part", "PARTS", "corpus parts to score, joined by commas: test,test-b is what the README quotes (never tuned on); dev,dev-b what the phrases are tuned on", "test,test-b"),
            new("texts", "N", "texts of the realistic mix classified to measure the cost", "200000"),
            new("mistakes", "N", "mistakes listed (0: none)", "1000"),
        ],
        RunAsync);

    private static Task<int> RunAsync(ParsedArguments args, CancellationToken cancellationToken)
    {
        var part = args.GetString("part", "test,test-b");
        var texts = args.GetInt32("texts", 200_000, min: 1_000);
        var mistakes = args.GetInt32("mistakes", 1000, min: 0);

        IReadOnlyList<CorpusRow> rows;
        try
        {
            rows = IntentCorpus.Read(part);
        }
        catch (ArgumentException e)
        {
            throw new UsageException("--part: " + e.Message);
        }

        var settings = IntentEvaluation.DefaultSettings();
        var judged = IntentEvaluation.Judge(rows, settings);
        var output = Console.Out;

        output.WriteLine($"intent: corpus/intent/{part} (.tsv), {rows.Count} texts in {rows.Select(r => r.Language).Distinct().Count()} languages; "
            + $"a new account's settings ({settings.Settings.ActiveLanguages.Count} languages active, detection on, possible threshold {settings.Settings.PossibleRevocationThreshold:0.00})");
        output.WriteLine();
        PrintLabels(output, "all texts", judged);
        PrintLabels(output, "keyword tier (bare keywords)", judged.Where(j => j.Tier == "keyword").ToList());
        PrintLabels(output, "natural-language tier (everything else)", judged.Where(j => j.Tier == "natural").ToList());
        PrintLanguages(output, judged);

        var keywordRecall = IntentEvaluation.KeywordRecall(judged);
        var naturalRecall = IntentEvaluation.NaturalRecall(judged);
        var withReview = IntentEvaluation.NaturalRecallWithReview(judged);
        var noneOptedOut = IntentEvaluation.NoneOptedOut(judged);
        output.WriteLine("targets:");
        output.WriteLine($"  keyword recall              {Percent(keywordRecall),7}  target {Percent(IntentEvaluation.KeywordRecallTarget)}  {Verdict(keywordRecall >= IntentEvaluation.KeywordRecallTarget)}");
        output.WriteLine($"  natural-language recall     {Percent(naturalRecall),7}  target >= {Percent(IntentEvaluation.NaturalRecallTarget)}  {Verdict(naturalRecall >= IntentEvaluation.NaturalRecallTarget)}  (opted out; with review: {Percent(withReview)})");
        output.WriteLine($"  NONE texts opted out        {Percent(noneOptedOut),7}  target <= {Percent(IntentEvaluation.NoneOptedOutTarget)}  {Verdict(noneOptedOut <= IntentEvaluation.NoneOptedOutTarget)}");
        output.WriteLine();

        var wrong = judged.Where(j => !j.Correct).OrderBy(j => j.Row.Label).ThenBy(j => j.Predicted).ThenBy(j => j.Row.Id).ToList();
        output.WriteLine($"mistakes: {wrong.Count} of {judged.Count}");
        foreach (var j in wrong.Take(mistakes))
            output.WriteLine($"  {j.Row.Id,-8} {j.Row.Label,-8} -> {j.Predicted,-8} {Quote(j.Row.Text),-60}  [{IntentEvaluation.Describe(j.Intent)}]");
        output.WriteLine();

        MeasureCost(output, rows, settings, texts);
        return Task.FromResult(0);
    }

    private static void PrintLabels(TextWriter output, string title, IReadOnlyList<Judged> judged)
    {
        output.WriteLine($"{title}: {judged.Count} texts, {judged.Count(j => j.Correct)} read as labelled");
        output.WriteLine($"  {"label",-9}{"texts",7}{"read as",9}{"precision",11}{"recall",9}");
        foreach (var label in IntentCorpus.Labels)
        {
            var score = IntentEvaluation.Score(judged, label);
            if (score.Support + score.Predicted > 0)
                output.WriteLine($"  {label,-9}{score.Support,7}{score.Predicted,9}{Percent(score.Precision),11}{Percent(score.Recall),9}");
        }

        output.WriteLine();
    }

    private static void PrintLanguages(TextWriter output, IReadOnlyList<Judged> judged)
    {
        output.WriteLine("per language:");
        output.WriteLine($"  {"lang",-5}{"texts",6}{"as labelled",13}{"OPT_OUT P",11}{"OPT_OUT R",11}{"natural R",11}{"NONE->OPT_OUT",15}");
        foreach (var group in judged.GroupBy(j => j.Row.Language).OrderByDescending(g => g.Count()))
        {
            var list = group.ToList();
            var optOut = IntentEvaluation.Score(list, "OPT_OUT");
            output.WriteLine($"  {group.Key,-5}{list.Count,6}{Percent((double)list.Count(j => j.Correct) / list.Count),13}"
                + $"{Percent(optOut.Precision),11}{Percent(optOut.Recall),11}{Percent(IntentEvaluation.NaturalRecall(list)),11}{Percent(IntentEvaluation.NoneOptedOut(list)),15}");
        }

        output.WriteLine();
    }

    // Nine ordinary replies (NONE) to one opt-out (OPT_OUT) of this part, repeated; the baseline is the keyword lookup
    // alone, which is what every text cost before natural-language detection.
    private static void MeasureCost(TextWriter output, IReadOnlyList<CorpusRow> rows, ResolvedSettings settings, int count)
    {
        var ordinary = rows.Where(r => r.Label == "NONE").Select(r => r.Text).ToArray();
        var optOuts = rows.Where(r => r.Label == "OPT_OUT").Select(r => r.Text).ToArray();
        var mix = new string[count];
        for (var i = 0; i < count; i++)
            mix[i] = i % 10 == 0 ? optOuts[i / 10 % optOuts.Length] : ordinary[i % ordinary.Length];

        double Measure(Func<string, bool> read)
        {
            for (var i = 0; i < Math.Min(count, 20_000); i++)
                read(mix[i]);
            var best = double.MaxValue;
            for (var round = 0; round < 3; round++)
            {
                var clock = Stopwatch.StartNew();
                var hits = 0;
                foreach (var text in mix)
                    hits += read(text) ? 1 : 0;
                best = Math.Min(best, clock.Elapsed.TotalMicroseconds / count);
                GC.KeepAlive(hits);
            }

            return best;
        }

        var keywordsOnly = Measure(t => settings.Keywords.MatchEntry(t) is not null);
        var classify = Measure(t => IntentClassifier.Classify(settings, t).Kind != TextIntentKind.None);
        output.WriteLine($"cost on the realistic mix ({count:N0} texts: 9 NONE to 1 OPT_OUT of this part; best of 3 rounds):");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  keywords + detection {classify,6:0.00} µs/text;  keyword lookup alone (baseline) {keywordsOnly,6:0.00} µs/text;  detection adds {classify - keywordsOnly:0.00} µs/text"));
    }

    private static string Percent(double value) => double.IsNaN(value) ? "-" : value.ToString("0.0%", CultureInfo.InvariantCulture);

    private static string Verdict(bool pass) => pass ? "PASS" : "BELOW TARGET";

    private static string Quote(string text) => "\"" + (text.Length > 58 ? text[..57] + "…" : text) + "\"";
}
