using System.Runtime.Loader;
using System.Text;
using OptOut.Core;
using OptOut.Core.Bulk;

namespace OptOut.Bulk.Parallelism.Tests;

[TestFixture]
public class When_parsing_cells_on_several_threads
{
    // Valid, flagged (possible but not valid), other countries, vanity letters, non-ASCII digits, and every kind of rejection.
    private static readonly (string? Input, int CallingCode)[] Cells =
    [
        ("(201) 555-0123", 1), ("555.201.1234", 1), ("1-555-201-1234", 1), ("+1 555 201 1234", 1), ("1-800-FLOWERS", 1),
        ("020 7946 0958", 44), ("07700 900123", 44), ("+44 20 7946 0958", 1), ("１２０１５５５０１２３", 1), ("٠٢٠ ٧٩٤٦ ٠٩٥٨", 44),
        ("1234 5678", 800), ("201-1234", 1), ("12345", 1), ("abc", 1), ("", 1), (null, 1), ("   ", 1), (new string('9', 65), 1),
        ("+999 1234 5678", 1), ("2015550123", 999), ("+1 201 555 01234567", 1), ("ｅｍｏｊｉ 😀", 1),
    ];

    [Test]
    public void Should_give_each_thread_a_libphonenumber_of_its_own_and_none_of_them_the_services()
    {
        using var lease = CellParser.Rent(3);
        var contexts = Enumerable.Range(0, 3).Select(i => AssemblyLoadContext.GetLoadContext(lease[i].Method.Module.Assembly)).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(Enumerable.Range(0, 3).Select(i => CellParser.IsCopy(lease[i])), Has.All.True, "every thread parses with a copy");
            Assert.That(contexts, Is.Unique, "one copy per thread");
            Assert.That(contexts, Has.None.SameAs(AssemblyLoadContext.GetLoadContext(typeof(PhoneNumberParser).Assembly)),
                "the keyword path keeps the service's own libphonenumber to itself");
        });
    }

    [Test]
    public void Should_lend_a_copy_to_one_lease_at_a_time_and_reuse_it_once_returned()
    {
        using (var one = CellParser.Rent(1))
        {
            using var other = CellParser.Rent(1);
            Assert.That(other[0], Is.Not.SameAs(one[0]), "two passes at once never share a copy");
        }

        var loaded = CellParser.Loaded;
        using var again = CellParser.Rent(2);

        Assert.Multiple(() =>
        {
            Assert.That(CellParser.Loaded, Is.EqualTo(loaded), "returned copies are lent again, not loaded anew");
            Assert.That(again[1], Is.Not.SameAs(again[0]));
        });
    }

    [Test]
    public void Should_give_the_same_key_and_reason_in_every_copy_as_the_parser_of_the_service()
    {
        using var lease = CellParser.Rent(3);
        var parsers = new[] { CellKey.Parse, lease[0], lease[1], lease[2] };

        Assert.Multiple(() =>
        {
            foreach (var (input, callingCode) in Cells)
            {
                var expected = PhoneNumberParser.Parse(input, callingCode);
                var expectedKey = expected.Number is { } phone
                    ? long.Parse(phone.E164.AsSpan(1)) | (phone.IsValid ? 0 : NumberKey.FlaggedBit)
                    : CellKey.Rejected;
                for (var i = 0; i < parsers.Length; i++)
                {
                    var key = parsers[i](input, callingCode, out var error);
                    Assert.That((key, error), Is.EqualTo((expectedKey, expected.Error)), $"'{input}' (+{callingCode}) with parser {i}");
                }
            }
        });
    }

    [Test]
    public async Task Should_parse_the_same_on_threads_running_at_once()
    {
        var cells = Enumerable.Range(0, 20_000).Select(i => i % 10 == 0 ? $"{i}" : $"({201 + i % 700}) {200 + i % 800:D3}-{i % 10_000:D4}").ToArray();
        var expected = cells.Select(c => CellKey.Parse(c, 1, out _)).ToArray();
        using var lease = CellParser.Rent(3);

        var results = await Task.WhenAll(Enumerable.Range(0, 3).Select(worker => Task.Run(() =>
            cells.Select(c => lease[worker](c, 1, out _)).ToArray())));

        Assert.That(results, Has.All.EqualTo(expected));
    }

    [Test]
    public void Should_refuse_a_lease_once_it_was_returned()
    {
        var lease = CellParser.Rent(1);
        lease.Dispose();

        Assert.Throws<ObjectDisposedException>(() => _ = lease[0]);
    }

    [Test]
    public async Task Should_parse_at_a_lower_priority_than_the_keyword_path()
    {
        if (!OperatingSystem.IsLinux())
            Assert.Ignore("Thread priorities are lowered on Linux only (setpriority on the thread id).");
        var csv = Encoding.UTF8.GetBytes("phone\n" + string.Join("\n", Enumerable.Range(0, 10_000).Select(i => $"201555{i:D4}")));
        var seen = new System.Collections.Concurrent.ConcurrentBag<int?>();
        var before = BackgroundPriority.Current();

        await CellBlockPipeline.RunAsync(new MemoryStream(csv), new BulkFileLimits(), 2, new ParallelParsingThreads(), (worker, block) =>
        {
            seen.Add(BackgroundPriority.Current());
            return block.Count;
        }, (block, count) => ValueTask.CompletedTask, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(seen, Is.Not.Empty.And.All.EqualTo(BackgroundPriority.Nice), "every parsing thread runs at the lower priority");
            Assert.That(BackgroundPriority.Current(), Is.EqualTo(before), "the caller's thread keeps its priority");
        });
    }
}
