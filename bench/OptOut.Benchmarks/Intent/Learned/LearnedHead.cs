namespace OptOut.Benchmarks.Intent.Learned;

/// <summary>
/// A multinomial logistic regression over hashed text features (<see cref="TextFeatures"/>): one weight per feature
/// bucket and class, one bias per class. A text's feature vector counts each feature's occurrences and is scaled to
/// unit length, so a long text does not outvote a short one. Weights are held as <see cref="Half"/>, exactly as the
/// model file stores them, so what is measured is what ships.
/// </summary>
internal sealed class LearnedHead
{
    private readonly float[] _weights; // bucket * Classes.Count + class
    private readonly float[] _bias;
    private readonly uint _mask;

    public LearnedHead(IReadOnlyList<string> classes, int bits, ReadOnlySpan<float> bias, ReadOnlySpan<float> weights)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bits, 8);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bits, 24);
        if (bias.Length != classes.Count || weights.Length != (1 << bits) * classes.Count)
            throw new ArgumentException($"a head of {classes.Count} classes and {bits} bits has {classes.Count} biases and {(1 << bits) * classes.Count} weights");

        Classes = [.. classes];
        Bits = bits;
        _mask = (1u << bits) - 1;
        _bias = Quantized(bias);
        _weights = Quantized(weights);
    }

    public IReadOnlyList<string> Classes { get; }

    public int Bits { get; }

    public int Bucket(uint hash) => (int)(hash & _mask);

    public float Weight(int bucket, int @class) => _weights[bucket * Classes.Count + @class];

    /// <summary>The class probabilities for these feature hashes (softmax of the logits).</summary>
    public void Probabilities(ReadOnlySpan<uint> hashes, Span<double> probabilities)
    {
        var classes = Classes.Count;
        Span<double> logits = stackalloc double[classes];
        for (var c = 0; c < classes; c++)
            logits[c] = 0;
        foreach (var hash in hashes)
        {
            var row = Bucket(hash) * classes;
            for (var c = 0; c < classes; c++)
                logits[c] += _weights[row + c];
        }

        var scale = hashes.IsEmpty ? 0 : 1 / Math.Sqrt(hashes.Length);
        for (var c = 0; c < classes; c++)
            logits[c] = logits[c] * scale + _bias[c];
        Softmax(logits, probabilities);
    }

    public static void Softmax(ReadOnlySpan<double> logits, Span<double> probabilities)
    {
        var max = double.NegativeInfinity;
        foreach (var logit in logits)
            max = Math.Max(max, logit);
        var sum = 0.0;
        for (var c = 0; c < logits.Length; c++)
            sum += probabilities[c] = Math.Exp(logits[c] - max);
        for (var c = 0; c < logits.Length; c++)
            probabilities[c] /= sum;
    }

    public void Write(BinaryWriter writer)
    {
        writer.Write((byte)Classes.Count);
        foreach (var name in Classes)
            writer.Write(name);
        writer.Write((byte)Bits);
        foreach (var b in _bias)
            writer.Write((Half)b);
        foreach (var w in _weights)
            writer.Write((Half)w);
    }

    public static LearnedHead Read(BinaryReader reader)
    {
        var classes = new string[reader.ReadByte()];
        for (var c = 0; c < classes.Length; c++)
            classes[c] = reader.ReadString();
        var bits = reader.ReadByte();
        var bias = new float[classes.Length];
        for (var c = 0; c < bias.Length; c++)
            bias[c] = (float)reader.ReadHalf();
        var weights = new float[(1 << bits) * classes.Length];
        for (var i = 0; i < weights.Length; i++)
            weights[i] = (float)reader.ReadHalf();
        return new LearnedHead(classes, bits, bias, weights);
    }

    private static float[] Quantized(ReadOnlySpan<float> values)
    {
        var quantized = new float[values.Length];
        for (var i = 0; i < values.Length; i++)
            quantized[i] = (float)(Half)values[i];
        return quantized;
    }
}
