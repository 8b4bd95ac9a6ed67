using OptOut.Core;

namespace OptOut.Benchmarks.Intent.Learned;

/// <summary>How the learned tier's model is trained (the defaults: the lowest out-of-fold log loss <c>intent-cv</c> found).</summary>
internal sealed record TrainingOptions(int Bits = 16, int LanguageBits = 14, int Epochs = 20, double Rate = 0.2, double L2 = 0.002, ulong Seed = 0x5EED_0F_0B7_0A7)
{
    public static readonly TrainingOptions Default = new();
}

/// <summary>
/// Trains <see cref="LearnedModel"/> from labelled corpus rows: multinomial logistic regression per head, by AdaGrad
/// stochastic gradient descent with L2 regularisation on the weights a text touches. Deterministic by construction: one
/// thread, the rows in the order given, shuffled per epoch by a fixed-seed xorshift generator, and plain IEEE double
/// arithmetic, so the same rows and options always give the same model file, byte for byte.
/// </summary>
internal static class LearnedTrainer
{
    public static readonly string[] RevocationClasses = [LearnedModel.OptOut, LearnedModel.Possible, LearnedModel.Other];

    public static LearnedModel Train(IReadOnlyList<CorpusRow> rows, TrainingOptions options)
    {
        var features = rows.Select(r => TextFeatures.Hashes(KeywordMatcher.Normalize(r.Text))).ToArray();
        var revocation = rows.Select(r => r.Label switch { "OPT_OUT" => 0, "POSSIBLE" => 1, _ => 2 }).ToArray();
        var languages = LanguagesOf(rows);
        var language = rows.Select(r => Array.IndexOf(languages, r.Language)).ToArray();
        return new LearnedModel(
            TrainHead(features, revocation, RevocationClasses, options.Bits, options),
            TrainHead(features, language, languages, options.LanguageBits, options));
    }

    public static string[] LanguagesOf(IEnumerable<CorpusRow> rows) => [.. rows.Select(r => r.Language).Distinct().Order(StringComparer.Ordinal)];

    public static LearnedHead TrainHead(uint[][] features, int[] labels, IReadOnlyList<string> classes, int bits, TrainingOptions options)
    {
        var k = classes.Count;
        var mask = (1u << bits) - 1;
        var weights = new double[(1 << bits) * k];
        var squares = new double[weights.Length];
        var bias = new double[k];
        var biasSquares = new double[k];
        var order = Enumerable.Range(0, features.Length).ToArray();
        var random = new XorShift(options.Seed);
        Span<double> logits = stackalloc double[k];
        Span<double> gradient = stackalloc double[k];

        for (var epoch = 0; epoch < options.Epochs; epoch++)
        {
            random.Shuffle(order);
            foreach (var i in order)
            {
                var hashes = features[i];
                var scale = hashes.Length == 0 ? 0 : 1 / Math.Sqrt(hashes.Length);
                logits.Clear();
                foreach (var hash in hashes)
                {
                    var row = (int)(hash & mask) * k;
                    for (var c = 0; c < k; c++)
                        logits[c] += weights[row + c];
                }

                for (var c = 0; c < k; c++)
                    logits[c] = logits[c] * scale + bias[c];
                LearnedHead.Softmax(logits, gradient);
                gradient[labels[i]] -= 1;

                foreach (var hash in hashes)
                {
                    var row = (int)(hash & mask) * k;
                    for (var c = 0; c < k; c++)
                    {
                        var g = gradient[c] * scale + options.L2 * weights[row + c];
                        squares[row + c] += g * g;
                        weights[row + c] -= options.Rate * g / Math.Sqrt(squares[row + c] + 1e-8);
                    }
                }

                for (var c = 0; c < k; c++)
                {
                    biasSquares[c] += gradient[c] * gradient[c];
                    bias[c] -= options.Rate * gradient[c] / Math.Sqrt(biasSquares[c] + 1e-8);
                }
            }
        }

        return new LearnedHead(classes, bits, [.. bias.Select(b => (float)b)], [.. weights.Select(w => (float)w)]);
    }

    // xorshift64*: a fixed generator, so the order of the rows never depends on the runtime's Random.
    private sealed class XorShift(ulong seed)
    {
        private ulong _state = seed == 0 ? 1 : seed;

        public void Shuffle(int[] items)
        {
            for (var i = items.Length - 1; i > 0; i--)
            {
                var j = (int)(Next() % (ulong)(i + 1));
                (items[i], items[j]) = (items[j], items[i]);
            }
        }

        private ulong Next()
        {
            _state ^= _state >> 12;
            _state ^= _state << 25;
            _state ^= _state >> 27;
            return _state * 0x2545F4914F6CDD1DUL;
        }
    }
}
