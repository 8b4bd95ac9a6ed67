using System.Security.Cryptography;
using OptOut.Benchmarks.Intent.Learned;

namespace OptOut.Benchmarks.Intent;

/// <summary>
/// <c>intent-train</c>: trains the learned tier's model on the development parts (dev, dev-b; never a test part) with
/// the default options and writes the model file. The same inputs give the same file, byte for byte. The service does
/// not read with it: cross-validation did not show it helping (DEVELOPERS.md "The intent detector").
/// </summary>
internal static class IntentTraining
{
    public static readonly BenchmarkCommand Command = new(
        "intent-train",
        "Trains the learned intent model (an experiment the service does not use) on corpus/intent dev,dev-b and writes it.",
        [new("out", "PATH", "where to write the model file", "revocation-model.bin")],
        RunAsync);

    /// <summary>The model file's bytes, trained on dev and dev-b with the default options.</summary>
    public static byte[] TrainOnDevelopmentParts()
    {
        var model = LearnedTrainer.Train(IntentCorpus.Read("dev,dev-b"), TrainingOptions.Default);
        using var stream = new MemoryStream();
        model.Write(stream);
        return stream.ToArray();
    }

    private static Task<int> RunAsync(ParsedArguments args, CancellationToken cancellationToken)
    {
        var path = args.GetString("out", "revocation-model.bin");
        var bytes = TrainOnDevelopmentParts();
        File.WriteAllBytes(path, bytes);
        Console.Out.WriteLine($"intent-train: {TrainingOptions.Default} on corpus/intent/dev,dev-b -> {Path.GetFullPath(path)}");
        Console.Out.WriteLine($"  {bytes.Length:N0} bytes, SHA-256 {Convert.ToHexStringLower(SHA256.HashData(bytes))}");
        return Task.FromResult(0);
    }
}
