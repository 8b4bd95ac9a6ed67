using System.Buffers;
using System.Globalization;

namespace OptOut.Benchmarks.Intent.Learned;

/// <summary>
/// The learned tier's model: a revocation head (OPT_OUT, POSSIBLE, OTHER: the corpus labels, with NONE, OPT_IN and
/// HELP as OTHER) and a language head (the corpus languages, for the confirmation of a text only the model reads),
/// both over <see cref="TextFeatures"/>. <c>intent-train</c> writes one, <c>intent-cv</c> scores them.
/// </summary>
internal sealed class LearnedModel
{
    public const string OptOut = "OPT_OUT";
    public const string Possible = "POSSIBLE";
    public const string Other = "OTHER";

    private const int Magic = 0x4D4C4F4F; // "OOLM"
    private const int Version = 1;

    internal LearnedModel(LearnedHead revocation, LearnedHead language)
    {
        if (!revocation.Classes.SequenceEqual([OptOut, Possible, Other]))
            throw new ArgumentException($"the revocation head's classes are {OptOut}, {Possible}, {Other}", nameof(revocation));
        Revocation = revocation;
        Language = language;
    }

    internal LearnedHead Revocation { get; }

    internal LearnedHead Language { get; }

    /// <summary>How likely a normalized text is a revocation, a possible one, or neither.</summary>
    public LearnedPrediction Predict(string normalized)
    {
        Span<double> p = stackalloc double[3];
        Probabilities(Revocation, normalized, p);
        return new LearnedPrediction(p[0], p[1]);
    }

    /// <summary>The most likely language of a normalized text, among <paramref name="languages"/> (null when none is known to the model).</summary>
    public string? LanguageOf(string normalized, IReadOnlyList<string> languages)
    {
        Span<double> p = stackalloc double[Language.Classes.Count];
        Probabilities(Language, normalized, p);
        string? best = null;
        var bestP = -1.0;
        for (var c = 0; c < p.Length; c++)
        {
            if (p[c] > bestP && languages.Contains(Language.Classes[c]))
                (best, bestP) = (Language.Classes[c], p[c]);
        }

        return best;
    }

    /// <summary>
    /// The features of a normalized text that moved it most toward a revocation (or, with
    /// <paramref name="towardRevocation"/> false, away from one), with their weight in the text's logit of OPT_OUT
    /// against OTHER: "'take me off' +2.10".
    /// </summary>
    public IReadOnlyList<string> Explain(string normalized, bool towardRevocation, int count = 3)
    {
        var sink = new ExplainSink(Revocation, []);
        TextFeatures.Visit(normalized, ref sink);
        var scale = sink.Total == 0 ? 0 : 1 / Math.Sqrt(sink.Total);
        var sign = towardRevocation ? 1 : -1;
        return [.. sink.Weights
            .Select(kv => (Name: kv.Key, Weight: kv.Value * scale))
            .Where(f => f.Weight * sign > 0)
            .OrderByDescending(f => f.Weight * sign).ThenBy(f => f.Name, StringComparer.Ordinal)
            .Take(count)
            .Select(f => string.Create(CultureInfo.InvariantCulture, $"{f.Name} {f.Weight:+0.00;-0.00}"))];
    }

    public void Write(Stream stream)
    {
        using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        writer.Write(Magic);
        writer.Write(Version);
        Revocation.Write(writer);
        Language.Write(writer);
    }

    public static LearnedModel Read(Stream stream)
    {
        using var reader = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        if (reader.ReadInt32() != Magic || reader.ReadInt32() != Version)
            throw new InvalidDataException($"not a version {Version} learned revocation model");
        return new LearnedModel(LearnedHead.Read(reader), LearnedHead.Read(reader));
    }

    // The feature hashes of a text, in a pooled buffer: reading a text allocates nothing.
    private static void Probabilities(LearnedHead head, string normalized, Span<double> probabilities)
    {
        var buffer = ArrayPool<uint>.Shared.Rent((normalized.Length + 2) * (TextFeatures.MaxGram - TextFeatures.MinGram + 2));
        try
        {
            var sink = new ArraySink(buffer);
            TextFeatures.Visit(normalized, ref sink);
            head.Probabilities(buffer.AsSpan(0, sink.Count), probabilities);
        }
        finally
        {
            ArrayPool<uint>.Shared.Return(buffer);
        }
    }

    private struct ArraySink(uint[] buffer) : TextFeatures.ISink
    {
        public int Count { get; private set; }

        public void Add(uint hash, ReadOnlySpan<char> padded, int start, int length) => buffer[Count++] = hash;
    }

    private struct ExplainSink(LearnedHead head, Dictionary<string, double> weights) : TextFeatures.ISink
    {
        public readonly Dictionary<string, double> Weights => weights;

        public int Total { get; private set; }

        public void Add(uint hash, ReadOnlySpan<char> padded, int start, int length)
        {
            Total++;
            var bucket = head.Bucket(hash);
            var name = TextFeatures.Name(padded, start, length);
            weights[name] = weights.GetValueOrDefault(name) + head.Weight(bucket, 0) - head.Weight(bucket, 2);
        }
    }
}

/// <summary>What the learned model reads in a text: the probabilities of OPT_OUT and POSSIBLE.</summary>
internal readonly record struct LearnedPrediction(double OptOut, double Possible)
{
    /// <summary>The expected revocation level: 1 for OPT_OUT, ½ for POSSIBLE, 0 otherwise.</summary>
    public double Level => OptOut + Possible / 2;
}
