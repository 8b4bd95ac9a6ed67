using System.Text;

namespace OptOut.Benchmarks.Intent;

/// <summary>One labelled text of corpus/intent (docs/intent-corpus.md).</summary>
internal sealed record CorpusRow(string Id, string Language, string Label, string Form, string Case, string Text);

/// <summary>
/// Reads the labelled corpus. It has two batches by different authors, each split once: <c>dev.tsv</c> and
/// <c>dev-b.tsv</c> (what the phrases are tuned on), <c>test.tsv</c> and <c>test-b.tsv</c> (never tuned on; the figures
/// the README quotes). A part is one of these names, or several joined by commas ("test,test-b"). Shared by the
/// <c>intent</c> benchmark and the corpus spec, which link this file.
/// </summary>
internal static class IntentCorpus
{
    public static readonly string[] Labels = ["OPT_OUT", "OPT_IN", "HELP", "POSSIBLE", "NONE"];

    /// <summary>The corpus folder, found from the working directory or the assembly's folder upwards.</summary>
    public static string Folder()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "corpus", "intent");
                if (File.Exists(Path.Combine(candidate, "dev.tsv")))
                    return candidate;
            }
        }

        throw new FileNotFoundException("corpus/intent/dev.tsv not found above the working directory");
    }

    public static readonly string[] Parts = ["dev", "dev-b", "test", "test-b"];

    public static IReadOnlyList<CorpusRow> Read(string part)
    {
        var names = part.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (names.Length == 0 || names.Any(n => !Parts.Contains(n)))
            throw new ArgumentException($"the corpus parts are {string.Join(", ", Parts)} (or several joined by commas), not '{part}'", nameof(part));

        return [.. names.Distinct().SelectMany(ReadFile)];
    }

    private static List<CorpusRow> ReadFile(string name)
    {
        var path = Path.Combine(Folder(), name + ".tsv");
        var rows = new List<CorpusRow>();
        var lines = File.ReadAllLines(path, Encoding.UTF8);
        for (var i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0)
                continue;
            var cells = lines[i].Split('\t');
            if (cells.Length != 6 || !Labels.Contains(cells[2]))
                throw new InvalidDataException($"{path}:{i + 1}: expected 6 tab-separated cells with a known label");
            rows.Add(new CorpusRow(cells[0], cells[1], cells[2], cells[3], cells[4], cells[5]));
        }

        return rows;
    }
}
