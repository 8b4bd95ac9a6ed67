using System.Buffers;
using OptOut.Core;

namespace OptOut.Benchmarks.Intent.Learned;

/// <summary>
/// The features the learned tier reads in a text, as 32-bit hashes: character n-grams (2 to 5 characters) of the
/// normalized text with a space on either side, so that word starts and ends count, and its words and pairs of words.
/// The text is normalized as keywords are (<see cref="KeywordMatcher.Normalize"/>: NFKC, case, accents folded,
/// punctuation and emoji dropped), so "Take me OFF!!" and "take me off" are the same text.
/// </summary>
/// <remarks>
/// Hashing (FNV-1a, a seed per kind) keeps the model a fixed array, whatever the vocabulary, and reading a text a few
/// hundred array lookups with no allocation. A feature's name, for the explanation, is the slice of text it hashes.
/// </remarks>
internal static class TextFeatures
{
    public const int MinGram = 2;
    public const int MaxGram = 5;

    private const int StackChars = 256;

    // Hash seeds: one per kind of feature, so the word "ab" and the n-gram "ab" are different features.
    private const uint WordSeed = 1;
    private const uint TwoWordsSeed = 2;
    private const uint GramSeed = 10;

    /// <summary>Receives the features of a text, in a fixed order: n-grams by length then position, words, word pairs.</summary>
    public interface ISink
    {
        void Add(uint hash, ReadOnlySpan<char> padded, int start, int length);
    }

    /// <summary>Calls <paramref name="sink"/> once per feature of an already normalized text.</summary>
    public static void Visit<TSink>(ReadOnlySpan<char> normalized, ref TSink sink)
        where TSink : struct, ISink
    {
        if (normalized.IsEmpty)
            return;

        char[]? rented = null;
        var length = normalized.Length + 2;
        var padded = length <= StackChars ? stackalloc char[length] : (rented = ArrayPool<char>.Shared.Rent(length)).AsSpan(0, length);
        try
        {
            padded[0] = ' ';
            normalized.CopyTo(padded[1..]);
            padded[^1] = ' ';

            for (var n = MinGram; n <= MaxGram; n++)
            {
                var seed = GramSeed + (uint)n;
                for (var i = 0; i + n <= padded.Length; i++)
                    sink.Add(Hash(seed, padded.Slice(i, n)), padded, i, n);
            }

            var previous = -1;
            var start = 1;
            for (var i = 1; i < padded.Length; i++)
            {
                if (padded[i] != ' ')
                    continue;
                if (i > start)
                {
                    sink.Add(Hash(WordSeed, padded[start..i]), padded, start, i - start);
                    if (previous >= 0)
                        sink.Add(Hash(TwoWordsSeed, padded[previous..i]), padded, previous, i - previous);
                    previous = start;
                }

                start = i + 1;
            }
        }
        finally
        {
            if (rented is not null)
                ArrayPool<char>.Shared.Return(rented);
        }
    }

    /// <summary>The hashes of a normalized text's features, in <see cref="Visit{TSink}"/> order.</summary>
    public static uint[] Hashes(ReadOnlySpan<char> normalized)
    {
        var sink = new ListSink([]);
        Visit(normalized, ref sink);
        return [.. sink.Hashes];
    }

    /// <summary>How a feature reads in an explanation: its text in quotes, a space at either end shown as _.</summary>
    public static string Name(ReadOnlySpan<char> padded, int start, int length) =>
        "'" + padded.Slice(start, length).ToString().Replace(' ', '_') + "'";

    private static uint Hash(uint seed, ReadOnlySpan<char> chars)
    {
        var hash = 2166136261u ^ (seed * 16777619u);
        foreach (var c in chars)
        {
            hash = (hash ^ (c & 0xFFu)) * 16777619u;
            hash = (hash ^ (uint)(c >> 8)) * 16777619u;
        }

        return hash;
    }

    private readonly struct ListSink(List<uint> hashes) : ISink
    {
        public List<uint> Hashes => hashes;

        public void Add(uint hash, ReadOnlySpan<char> padded, int start, int length) => hashes.Add(hash);
    }
}
