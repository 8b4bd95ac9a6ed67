using System.Globalization;

namespace OptOut.Benchmarks;

/// <summary>A benchmark verb: <c>inbound</c> today, <c>bulk</c> and others later. Each one owns its options.</summary>
internal sealed record BenchmarkCommand(
    string Name,
    string Summary,
    IReadOnlyList<CommandOption> Options,
    Func<ParsedArguments, CancellationToken, Task<int>> RunAsync);

/// <summary>One <c>--name value</c> option, listed in the verb's help.</summary>
internal sealed record CommandOption(string Name, string ValueName, string Description, string? Default = null);

/// <summary>Thrown for bad command-line input; Program prints it with the usage and exits with 2.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>
/// <c>--name value</c> / <c>--name=value</c> options of one verb. Unknown options are an error rather than being
/// ignored, so a typo like <c>--message 1000</c> can't silently run the default 50,000.
/// </summary>
internal sealed class ParsedArguments
{
    private readonly Dictionary<string, string> _values;

    private ParsedArguments(Dictionary<string, string> values) => _values = values;

    public static ParsedArguments Parse(IReadOnlyList<string> args, BenchmarkCommand command)
    {
        var known = command.Options.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
                throw new UsageException($"unexpected argument '{arg}'");

            string name, value;
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                name = arg[2..equals];
                value = arg[(equals + 1)..];
            }
            else
            {
                name = arg[2..];
                if (i + 1 >= args.Count)
                    throw new UsageException($"--{name} needs a value");
                value = args[++i];
            }

            if (!known.Contains(name))
                throw new UsageException($"unknown option --{name} for '{command.Name}'");
            values[name] = value;
        }

        return new ParsedArguments(values);
    }

    public string GetString(string name, string defaultValue, params string[] allowed)
    {
        if (!_values.TryGetValue(name, out var text))
            return defaultValue;
        if (allowed.Length > 0 && !allowed.Contains(text, StringComparer.Ordinal))
            throw new UsageException($"--{name} must be one of {string.Join(", ", allowed)} (got '{text}')");
        return text;
    }

    public int GetInt32(string name, int defaultValue, int min = 1, int max = int.MaxValue)
    {
        if (!_values.TryGetValue(name, out var text))
            return defaultValue;
        // Accept "50000", "50_000" and "50,000" as typed in a shell.
        var cleaned = text.Replace("_", "", StringComparison.Ordinal).Replace(",", "", StringComparison.Ordinal);
        if (!int.TryParse(cleaned, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            throw new UsageException($"--{name} must be a whole number from {min} to {max} (got '{text}')");
        return value;
    }

    public double GetDouble(string name, double defaultValue, double min, double max)
    {
        if (!_values.TryGetValue(name, out var text))
            return defaultValue;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            throw new UsageException($"--{name} must be a number from {min} to {max} (got '{text}')");
        return value;
    }
}
