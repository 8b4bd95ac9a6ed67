using OptOut.Benchmarks;
using OptOut.Benchmarks.Bulk;
using OptOut.Benchmarks.Inbound;
using OptOut.Benchmarks.Intent;

// Verb dispatch: each benchmark is a BenchmarkCommand with its own options; add new ones to this list.
BenchmarkCommand[] commands =
[
    InboundBenchmark.Command,
    BulkBenchmark.Command,
    IntentBenchmark.Command,
    IntentTraining.Command,
    IntentCrossValidation.Command,
];

if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
{
    PrintUsage(Console.Out);
    return args.Length == 0 ? 2 : 0;
}

var command = commands.FirstOrDefault(c => string.Equals(c.Name, args[0], StringComparison.OrdinalIgnoreCase));
if (command is null)
{
    Console.Error.WriteLine($"unknown benchmark '{args[0]}'");
    PrintUsage(Console.Error);
    return 2;
}

var rest = args.Skip(1).ToArray();
if (rest.Any(a => a is "--help" or "-h"))
{
    PrintCommandHelp(Console.Out, command);
    return 0;
}

ParsedArguments parsed;
try
{
    parsed = ParsedArguments.Parse(rest, command);
}
catch (UsageException ex)
{
    Console.Error.WriteLine("error: " + ex.Message);
    PrintCommandHelp(Console.Error, command);
    return 2;
}

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // First Ctrl+C stops the run and still cleans up the broker; a second one kills the process.
    e.Cancel = !cancellation.IsCancellationRequested;
    cancellation.Cancel();
};

try
{
    return await command.RunAsync(parsed, cancellation.Token);
}
catch (UsageException ex)
{
    Console.Error.WriteLine("error: " + ex.Message);
    PrintCommandHelp(Console.Error, command);
    return 2;
}
catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
{
    Console.Error.WriteLine("cancelled");
    return 130;
}
catch (Exception ex)
{
    Console.Error.WriteLine($"error: {command.Name} failed: {ex}");
    return 1;
}

void PrintUsage(TextWriter writer)
{
    writer.WriteLine("usage: dotnet run -c Release --project bench/OptOut.Benchmarks -- <benchmark> [options]");
    writer.WriteLine();
    writer.WriteLine("benchmarks:");
    foreach (var c in commands)
        writer.WriteLine($"  {c.Name,-12}{c.Summary}");
    writer.WriteLine();
    writer.WriteLine("'<benchmark> --help' lists its options. Broker: RABBITMQ_HOST (default localhost), RABBITMQ_VHOST (default /).");
}

static void PrintCommandHelp(TextWriter writer, BenchmarkCommand command)
{
    writer.WriteLine($"usage: OptOut.Benchmarks {command.Name} [options]");
    writer.WriteLine();
    writer.WriteLine(command.Summary);
    writer.WriteLine();
    writer.WriteLine("options:");
    foreach (var o in command.Options)
    {
        var left = $"--{o.Name} {o.ValueName}";
        var suffix = o.Default is null ? "" : $" (default {o.Default})";
        writer.WriteLine($"  {left,-24}{o.Description}{suffix}");
    }
}
