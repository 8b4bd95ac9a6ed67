using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using MassTransit;
using MassTransit.MessageData;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using OptOut.Benchmarks.Inbound;
using OptOut.Contracts;
using OptOut.Core;
using OptOut.Core.Bulk;
using OptOut.Service.Consumers;
using OptOut.Service.Messaging;

namespace OptOut.Benchmarks.Bulk;

/// <summary>
/// <c>bulk</c>: a CSV upload of <c>--rows</c> rows through the real service (SQLite store, real broker), end to end:
/// time to BulkUploadCompleted and to the last ConversationOptStateChanged, ingest rate against the parse-only rate
/// of the same cells, a bare publish of as many events, peak memory, and STOP → confirmation latency meanwhile.
/// </summary>
internal static class BulkBenchmark
{
    public const double TargetRatio = 0.3;
    public static readonly TimeSpan TargetTotal = TimeSpan.FromSeconds(120);
    public const long TargetPeakBytes = 400L * 1024 * 1024;

    public static readonly BenchmarkCommand Command = new(
        "bulk",
        "A CSV bulk upload through the service (SQLite store): time to BulkUploadCompleted and to the last event, ingest vs. parse-only rate, "
        + "bare event publish, peak memory, STOP -> confirmation latency meanwhile.",
        [
            new("rows", "N", "data rows in the generated CSV (~10% invalid, ~5% repeats, ~20% already opted out)", "1000000"),
            new("seed", "N", "seed of the generated file (same seed, same file)", "20250411"),
            new("warmup", "N", "rows of a smaller upload (another file, another account) run to the end before the measured one, so the service's code is compiled as in a running service; 0: none", "200000"),
            new("warmup-rounds", "N", "how many times the warm-up upload runs (each into an account of its own): the JIT promotes a method to its optimized tier only when it is called again after its first calls were counted, so one round leaves the code called once per block or batch unoptimized", "2"),
            new("timeout", "SECONDS", "give up after this long, or after a minute without progress", "900"),
        ],
        RunAsync);

    private const int DefaultCallingCode = 1;
    private const int SeedBatch = 1_000;
    private const int ObserverPrefetch = 500;

    private static readonly TimeSpan StallLimit = TimeSpan.FromMinutes(1);
    private static readonly string BulkQueue = KebabCaseEndpointNameFormatter.Instance.Consumer<BulkUploadSubmittedConsumer>();
    private static readonly string InboundQueue = KebabCaseEndpointNameFormatter.Instance.Consumer<InboundMessageConsumer>();

    private sealed record ParseOnly(long Cells, TimeSpan Elapsed, long Flagged)
    {
        public double Rate => Cells / Elapsed.TotalSeconds;

        /// <summary>
        /// The median of the rounds (by rate), as the baseline: a shared machine's speed drifts over the minutes a run
        /// takes (single parse-only rounds of one run differed by up to 40%), so one round before the upload is no
        /// measure of the machine the upload ran on.
        /// </summary>
        public static ParseOnly Median(IReadOnlyList<ParseOnly> rounds) => rounds.OrderBy(r => r.Rate).ElementAt(rounds.Count / 2);
    }

    private sealed record BarePublish(long Events, TimeSpan Confirmed, TimeSpan Consumed);

    private sealed record WarmUp(BulkWorkload Workload, WorkloadCounts Counts, string CsvPath, int Rounds);

    private static async Task<int> RunAsync(ParsedArguments args, CancellationToken cancellationToken)
    {
        var rows = args.GetInt32("rows", 1_000_000, max: 10_000_000);
        var seed = args.GetInt32("seed", 20250411, min: 0);
        var workload = new BulkWorkload(rows, seed);
        var warmupRows = args.GetInt32("warmup", 200_000, min: 0, max: 10_000_000);
        var warmupRounds = args.GetInt32("warmup-rounds", 2, min: 1, max: 10);
        var timeout = TimeSpan.FromSeconds(args.GetInt32("timeout", 900));
        var broker = BrokerSettings.FromEnvironment();
        var directory = Path.Combine(Path.GetTempPath(), "optout-bench-bulk-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);

        Console.WriteLine($"bulk benchmark: {rows:N0} rows; broker {broker}; {Environment.ProcessorCount} cores, "
                          + $"{(GCSettings.IsServerGC ? "server" : "workstation")} GC, .NET {Environment.Version}");
        Console.WriteLine("machine: " + MachineProbe.DescribeParallelism());
        try
        {
            // 1. The file, streamed to disk.
            var csvPath = Path.Combine(directory, "upload.csv");
            var clock = Stopwatch.StartNew();
            var counts = workload.WriteCsv(csvPath);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"[bulk] generated {new FileInfo(csvPath).Length / 1048576.0:N1} MB in {clock.Elapsed.TotalSeconds:F1} s: {counts.Distinct:N0} distinct numbers "
                + $"({counts.PreOptedOut:N0} to opt out beforehand), {counts.Duplicates:N0} repeats, {counts.Invalid:N0} invalid"));

            // 2. libphonenumber alone over the same cells, before anything else runs.
            var parse = MeasureParseOnlyRound(csvPath, workload, "first");

            await using var memory = new MemorySampler();
            // 3. The warm-up upload's file (another seed: other numbers, and another account anyway).
            WarmUp? warmUp = null;
            if (warmupRows > 0)
            {
                var warmWorkload = new BulkWorkload(warmupRows, seed + 1);
                var warmPath = Path.Combine(directory, "warmup.csv");
                warmUp = new WarmUp(warmWorkload, warmWorkload.WriteCsv(warmPath), warmPath, warmupRounds);
            }

            return await RunUploadAsync(broker, directory, csvPath, workload, counts, parse, warmUp, memory, timeout, cancellationToken);
        }
        catch (BenchmarkFailedException ex)
        {
            Console.Error.WriteLine();
            Console.Error.WriteLine("FAILED: " + ex.Message);
            return 1;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException ex)
            {
                Console.Error.WriteLine($"note: could not delete {directory}: {ex.Message}");
            }
        }
    }

    private static async Task<int> RunUploadAsync(BrokerSettings broker, string directory, string csvPath, BulkWorkload workload, WorkloadCounts counts,
        ParseOnly firstParse, WarmUp? warmUp, MemorySampler memory, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var parseRounds = new List<ParseOnly> { firstParse };
        foreach (var queue in new[] { BulkQueue, InboundQueue })
        {
            var leftover = await broker.PurgeAndDeleteQueueAsync(queue, cancellationToken);
            if (leftover > 0)
                Console.Error.WriteLine($"note: removed {leftover:N0} messages left in '{queue}' by an earlier run");
        }

        var timings = new ServiceTimings();
        var app = InProcessService.Create(broker, directory, configure: builder =>
            builder.Host.UseServiceProviderFactory(new DecoratingServiceProviderFactory(timings.Decorate)));
        IBusControl? observer = null;
        IBusControl? publisher = null;
        StateChangeListener? listener = null;
        try
        {
            await app.StartAsync(cancellationToken);
            var serviceBus = app.Services.GetRequiredService<IBusControl>();
            await ServiceTarget.WaitHealthyAsync(serviceBus, "the service's bus");
            var monitor = new BrokerDisruptionMonitor();
            monitor.Watch(serviceBus);
            await broker.CheckSoleConsumerAsync(BulkQueue, cancellationToken);
            await broker.CheckSoleConsumerAsync(InboundQueue, cancellationToken);

            var repository = app.Services.GetRequiredService<IMessageDataRepository>();
            var submittedAt = DateTimeOffset.UtcNow;
            var upload = new BulkUploadSubmitted
            {
                UploadId = Guid.NewGuid(),
                // Not a GUID: the platform's own kind of id takes the same path (the store's accounts table).
                AccountId = AccountId.Parse("bench-bulk"),
                FileName = $"bench-{workload.Rows}.csv",
                SubmittedBy = "bench@example.com",
                SubmittedAt = submittedAt,
            };

            // 3. Opt out about 20% of the file's numbers beforehand, straight through the service's store.
            var seeded = await SeedAsync(app, upload.AccountId, workload, counts, submittedAt.AddDays(-1), cancellationToken);

            await using (var file = File.OpenRead(csvPath))
                upload = upload with { File = await repository.PutStream(file, cancellationToken) };

            var tracker = new UploadTracker(upload, workload, counts.Distinct);
            // The warm-up uploads, if any: the same kind of file and the same share opted out beforehand, each into another account.
            var warmUploads = new List<(BulkUploadSubmitted Upload, UploadTracker Tracker)>();
            for (var round = 0; round < (warmUp?.Rounds ?? 0); round++)
            {
                var warmUpload = new BulkUploadSubmitted
                {
                    UploadId = Guid.NewGuid(),
                    AccountId = AccountId.Parse(FormattableString.Invariant($"bench-warm-up-{round}")),
                    FileName = $"warmup-{warmUp!.Workload.Rows}.csv",
                    SubmittedBy = "bench@example.com",
                    SubmittedAt = submittedAt,
                };
                await SeedAsync(app, warmUpload.AccountId, warmUp.Workload, warmUp.Counts, submittedAt.AddDays(-1), cancellationToken);
                await using (var file = File.OpenRead(warmUp.CsvPath))
                    warmUpload = warmUpload with { File = await repository.PutStream(file, cancellationToken) };
                warmUploads.Add((warmUpload, new UploadTracker(warmUpload, warmUp.Workload, warmUp.Counts.Distinct)));
            }

            // Each tracker ignores the other upload's messages.
            var trackers = warmUploads.Select(w => w.Tracker).Append(tracker).ToArray();
            listener = new StateChangeListener(broker, seen =>
            {
                foreach (var t in trackers)
                    t.OnStateChanged(seen);
            });
            await listener.StartAsync("optout-bench-bulk-events", cancellationToken);
            publisher = broker.CreateBus(cfg => cfg.UseMessageData(repository));
            await publisher.StartAsync(cancellationToken);
            monitor.Watch(publisher);
            var probe = new StopProbe(publisher, () => tracker.Completed is null);
            observer = broker.CreateBus(cfg =>
            {
                cfg.UseMessageData(repository);
                cfg.ReceiveEndpoint(new TemporaryEndpointDefinition("optout-bench-bulk-observer"), KebabCaseEndpointNameFormatter.Instance, e =>
                {
                    e.PrefetchCount = ObserverPrefetch;
                    e.Handler<BulkUploadProgressed>(c => Task.WhenAll(trackers.Select(t => t.OnProgressed(c))));
                    e.Handler<BulkUploadCompleted>(c => Task.WhenAll(trackers.Select(t => t.OnCompleted(c))));
                    e.Handler<BulkUploadFailed>(c => Task.WhenAll(trackers.Select(t => t.OnFailed(c))));
                    e.Handler<Fault<BulkUploadSubmitted>>(c => Task.WhenAll(trackers.Select(t => t.OnFault(c))));
                    e.Handler<ConfirmationMessageRequested>(probe.OnConfirmation);
                });
            });
            await observer.StartAsync(cancellationToken);
            await ServiceTarget.WaitHealthyAsync(observer, "the observer bus");
            monitor.Watch(observer);
            await probe.WarmUpAsync(20, cancellationToken);

            for (var round = 0; round < warmUploads.Count; round++)
            {
                var (warmUpload, warmTracker) = warmUploads[round];
                // Run to its last event, so nothing of it overlaps the measured upload. Like the parse-only baseline's
                // warm-up: what is measured is code the JIT has compiled, as in a service that has run uploads before.
                // The STOP probe runs during it too: otherwise the keyword path's code is compiled to its optimized tier
                // during the measured ingest (1.4 s of JIT in it, most of it async and MassTransit consume code).
                var jitBefore = JitInfo.GetCompilationTime();
                warmTracker.Start();
                probe.Start(cancellationToken);
                try
                {
                    await publisher.Publish(warmUpload, cancellationToken);
                    await WaitAsync(warmTracker, monitor, timeout, cancellationToken);
                }
                catch
                {
                    await probe.StopAsync(TimeSpan.Zero);
                    throw;
                }

                await probe.StopWarmUpAsync(TimeSpan.FromSeconds(15));
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"[bulk] warm-up upload {round + 1}/{warmUploads.Count}: {warmUp!.Workload.Rows:N0} rows, "
                    + $"BulkUploadCompleted after {warmTracker.TimeToCompleted!.Value.TotalSeconds:F1} s, "
                    + $"last event after {warmTracker.TimeToDone!.Value.TotalSeconds:F1} s; JIT {(JitInfo.GetCompilationTime() - jitBefore).TotalSeconds:F1} s"));
            }

            // 4. The measured upload, with a parse-only round right before it and one after it (the baseline is their median
            // with the first round's).
            parseRounds.Add(MeasureParseOnlyRound(csvPath, workload, "right before the upload"));
            GC.Collect();
            GC.WaitForPendingFinalizers();
            timings.Reset();
            memory.Reset();
            monitor.Reset();
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            tracker.Start();
            probe.Start(cancellationToken);
            await publisher.Publish(upload, cancellationToken);
            try
            {
                await WaitAsync(tracker, monitor, timeout, cancellationToken);
            }
            finally
            {
                await probe.StopAsync(TimeSpan.FromSeconds(15));
            }

            var peak = memory.Peak;
            var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
            var completed = tracker.Completed!;
            Console.Error.WriteLine($"[bulk] done: {tracker.Describe()}");

            // 5. The same number of events, published the way the service publishes them, to a no-op consumer.
            await observer.StopAsync(CancellationToken.None);
            observer = null;
            await listener.DisposeAsync();
            listener = null;
            var bare = await MeasureBarePublishAsync(broker, app.Services.GetRequiredService<EventPublisher>(), publisher, counts, cancellationToken);
            parseRounds.Add(MeasureParseOnlyRound(csvPath, workload, "after the upload"));
            var parse = ParseOnly.Median(parseRounds);

            var expected = new BulkUploadCounts
            {
                OptedOut = counts.NewOptOuts,
                AlreadyOptedOut = seeded,
                DuplicateRows = counts.Duplicates,
                InvalidRows = counts.Invalid,
                FlaggedRows = parse.Flagged,
            };
            return PrintReport(workload, counts, parseRounds, tracker, completed, expected, timings, bare, probe, peak, memory.ProcessPeak, cpu);
        }
        finally
        {
            if (observer is not null)
                await observer.StopAsync(CancellationToken.None);
            if (listener is not null)
                await listener.DisposeAsync();
            if (publisher is not null)
                await publisher.StopAsync(CancellationToken.None);
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
            foreach (var queue in new[] { BulkQueue, InboundQueue })
                await broker.PurgeAndDeleteQueueAsync(queue, CancellationToken.None);
        }
    }

    private static ParseOnly MeasureParseOnlyRound(string csvPath, BulkWorkload workload, string round)
    {
        var parse = MeasureParseOnly(csvPath, workload);
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"[bulk] parse-only ({round}): {parse.Cells:N0} cells in {parse.Elapsed.TotalSeconds:F2} s = {parse.Rate:N0}/s ({parse.Flagged:N0} flagged)"));
        return parse;
    }

    /// <summary>
    /// libphonenumber's parse-and-format alone (<see cref="PhoneNumberParser.Parse"/>, one thread) over the file's
    /// phone cells: the clock runs only around the parse calls, the cells are read a chunk at a time outside it. The
    /// results are checked in lock step against what the generator meant each row to be.
    /// </summary>
    private static ParseOnly MeasureParseOnly(string csvPath, BulkWorkload workload)
    {
        const int Chunk = 16_384;
        var cells = new string[Chunk];
        var results = new PhoneParseResult[Chunk];
        using var rows = workload.Generate().GetEnumerator();
        using var stream = File.OpenRead(csvPath);
        using var reader = new CsvPhoneReader(stream, new BulkFileLimits());
        long ticks = 0, total = 0, flagged = 0;
        var warm = false;
        while (true)
        {
            var count = 0;
            while (count < Chunk && reader.TryRead(out var cell))
                cells[count++] = cell.Value;
            if (count == 0)
                break;

            if (!warm)
            {
                // Tiered JIT: the first chunk over and over for half a second, untimed, so what is measured is the
                // optimized code the service runs once it is warm (the service's own pass comes later still).
                var warmUp = Stopwatch.StartNew();
                do
                {
                    for (var i = 0; i < count; i++)
                        _ = PhoneNumberParser.Parse(cells[i], DefaultCallingCode);
                }
                while (warmUp.ElapsedMilliseconds < 500);
                warm = true;
            }

            var started = Stopwatch.GetTimestamp();
            for (var i = 0; i < count; i++)
                results[i] = PhoneNumberParser.Parse(cells[i], DefaultCallingCode);
            ticks += Stopwatch.GetTimestamp() - started;

            for (var i = 0; i < count; i++)
            {
                if (!rows.MoveNext())
                    throw new BenchmarkFailedException("the CSV has more rows than were generated");
                var row = rows.Current;
                var result = results[i];
                var meant = row.Kind == RowKind.Invalid ? null : BulkWorkload.E164(row.Unique);
                if (!string.Equals(row.Cell, cells[i], StringComparison.Ordinal) || !string.Equals(result.Number?.E164, meant, StringComparison.Ordinal))
                {
                    throw new BenchmarkFailedException(
                        $"row {total + i + 1:N0} ({row.Kind}): the generator meant '{row.Cell}' -> {meant ?? "rejected"}, the parser says "
                        + $"'{cells[i]}' -> {result.Number?.E164 ?? "rejected: " + result.Error}");
                }

                if (row.Kind == RowKind.New && result.Number is { IsValid: false })
                    flagged++;
            }

            total += count;
        }

        return new ParseOnly(total, Stopwatch.GetElapsedTime(0, ticks), flagged);
    }

    /// <summary>Opts out the numbers the generator marked, through the service's own store and state machine; returns how many.</summary>
    private static async Task<long> SeedAsync(WebApplication app, AccountId accountId, BulkWorkload workload, WorkloadCounts counts, DateTimeOffset at,
        CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var store = app.Services.GetRequiredService<IOptOutStore>();
        var now = DateTimeOffset.UtcNow;
        var causation = "bench-seed:" + Guid.NewGuid().ToString("N");
        // In number order: seeding is not what is measured, and scattered writes would take minutes.
        var phones = new List<string>();
        for (long unique = 0; unique < counts.Distinct; unique++)
        {
            if (BulkWorkload.IsPreOptedOut(unique))
                phones.Add(BulkWorkload.E164(unique));
        }

        phones.Sort(StringComparer.Ordinal);
        foreach (var chunk in phones.Chunk(SeedBatch))
        {
            var writes = chunk.Select(phone => OptOutStateMachine.Decide(null, new OptChange
            {
                AccountId = accountId,
                Phone = PhoneNumber.FromStored(phone, isValid: true),
                State = OptState.OptedOut,
                Source = OptOutSource.Manual,
                At = at,
                CausationId = causation,
                Actor = "bench@example.com",
                Note = "Opted out before the upload (benchmark seed)",
            }, now).Write!).ToList();
            var results = await store.TryWriteManyAsync(writes, cancellationToken);
            if (results.Any(written => !written))
                throw new BenchmarkFailedException("seeding the opted-out numbers lost a write: is something else writing to the store?");
        }

        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"[bulk] seeded {phones.Count:N0} opt-outs in {clock.Elapsed.TotalSeconds:F1} s ({workload.Rows:N0}-row file)"));
        return phones.Count;
    }

    private static async Task WaitAsync(UploadTracker tracker, BrokerDisruptionMonitor monitor, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var lastProgress = -1L;
        var lastProgressAt = Stopwatch.GetTimestamp();
        while (true)
        {
            var tick = Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);
            await Task.WhenAny(tracker.Done, tick);
            cancellationToken.ThrowIfCancellationRequested();
            if (tracker.Done.IsCompleted)
            {
                await tracker.Done; // a failure surfaces here
                return;
            }

            if (monitor.Disruption is { } disruption)
                throw new BenchmarkFailedException($"lost the broker connection during the run ({disruption}); run again.\n  {tracker.Describe()}");

            var progress = tracker.Progress;
            if (progress != lastProgress)
            {
                lastProgress = progress;
                lastProgressAt = Stopwatch.GetTimestamp();
                Console.Error.WriteLine($"[bulk] {tracker.Elapsed.TotalSeconds,6:F1} s  {tracker.Describe()}");
            }
            else if (Stopwatch.GetElapsedTime(lastProgressAt) > StallLimit)
            {
                throw new BenchmarkFailedException($"no progress for {StallLimit.TotalSeconds:F0} s.\n  {tracker.Describe()}");
            }

            if (tracker.Elapsed > timeout)
                throw new BenchmarkFailedException($"not complete after {timeout.TotalSeconds:F0} s.\n  {tracker.Describe()}");
        }
    }

    /// <summary>
    /// The transport's cost of the upload's events alone: as many ConversationOptStateChanged as the upload announced,
    /// through the service's own <see cref="EventPublisher"/> (pages of the processor's batch size, windows of
    /// confirms), seen by the same kind of listener as the upload's events, on a queue of its own.
    /// </summary>
    private static async Task<BarePublish> MeasureBarePublishAsync(BrokerSettings broker, EventPublisher events, IBus publisher, WorkloadCounts counts,
        CancellationToken cancellationToken)
    {
        var account = AccountId.Parse("bench-bulk-bare");
        var causation = BulkUploadJob.CausationFor(Guid.NewGuid());
        var expected = counts.NewOptOuts;
        var consumed = 0L;
        var allConsumed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (expected == 0)
            allConsumed.TrySetResult();

        var listener = new StateChangeListener(broker, change =>
        {
            if (change.AccountId == account && Interlocked.Increment(ref consumed) == expected)
                allConsumed.TrySetResult();
        });
        try
        {
            await listener.StartAsync("optout-bench-bulk-bare", cancellationToken);
            var note = "Bulk upload \"bench.csv\" (bare publish) by bench@example.com";
            var at = DateTimeOffset.UtcNow;
            var page = new List<StateChange>(new BulkUploadOptions().BatchSize);

            var started = Stopwatch.GetTimestamp();
            for (long unique = 0; unique < counts.Distinct; unique++)
            {
                if (BulkWorkload.IsPreOptedOut(unique))
                    continue;
                page.Add(new StateChange(account, BulkWorkload.E164(unique), OptState.OptedOut, OptOutSource.BulkUpload, note, at, causation));
                if (page.Count == page.Capacity)
                {
                    await events.PublishAsync(publisher, page, cancellationToken);
                    page.Clear();
                }
            }

            await events.PublishAsync(publisher, page, cancellationToken);
            var confirmed = Stopwatch.GetElapsedTime(started);
            if (await Task.WhenAny(allConsumed.Task, Task.Delay(TimeSpan.FromMinutes(5), cancellationToken)) != allConsumed.Task)
                throw new BenchmarkFailedException($"bare publish: the no-op consumer got {Interlocked.Read(ref consumed):N0} of {expected:N0} events within 5 minutes");
            var bare = new BarePublish(expected, confirmed, Stopwatch.GetElapsedTime(started));
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"[bulk] bare publish: {expected:N0} events confirmed in {bare.Confirmed.TotalSeconds:F1} s, consumed in {bare.Consumed.TotalSeconds:F1} s"));
            return bare;
        }
        finally
        {
            await listener.DisposeAsync();
        }
    }

    private static int PrintReport(BulkWorkload workload, WorkloadCounts counts, IReadOnlyList<ParseOnly> parseRounds, UploadTracker tracker,
        BulkUploadCompleted completed, BulkUploadCounts expected, ServiceTimings timings, BarePublish bare, StopProbe probe, long peak, long processPeak,
        TimeSpan cpu)
    {
        var c = CultureInfo.InvariantCulture;
        var parse = ParseOnly.Median(parseRounds);
        var toCompleted = tracker.TimeToCompleted!.Value;
        var toDone = tracker.TimeToDone!.Value;
        var ingestRate = workload.Rows / toCompleted.TotalSeconds;
        var ratio = ingestRate / parse.Rate;
        var dispatchTime = toDone - toCompleted;

        Console.WriteLine();
        Console.WriteLine(string.Create(c, $"file: {workload.Rows:N0} rows: {counts.Distinct:N0} distinct numbers ({expected.AlreadyOptedOut:N0} opted out beforehand), "
                                           + $"{counts.Duplicates:N0} repeats, {counts.Invalid:N0} invalid; seed {workload.Seed}"));
        Console.WriteLine();
        Console.WriteLine(string.Create(c, $"{"",-44}{"seconds",9}{"per second",14}"));
        Console.WriteLine(string.Create(c, $"{"parse-only (libphonenumber, 1 thread), median",-44}{parse.Elapsed.TotalSeconds,9:F2}{parse.Rate,14:N0}  cells"));
        Console.WriteLine(string.Create(c, $"{"  rounds: first, before, after the upload",-44}{string.Join(", ", parseRounds.Select(r => r.Elapsed.TotalSeconds.ToString("F2", c))),9}"));
        Console.WriteLine(string.Create(c, $"{"upload -> BulkUploadCompleted (ingest)",-44}{toCompleted.TotalSeconds,9:F2}{ingestRate,14:N0}  rows"));
        Console.WriteLine(string.Create(c, $"{"upload -> last ConversationOptStateChanged",-44}{toDone.TotalSeconds,9:F2}{workload.Rows / toDone.TotalSeconds,14:N0}  rows"));
        Console.WriteLine(string.Create(c, $"{"  of which after BulkUploadCompleted",-44}{dispatchTime.TotalSeconds,9:F2}"));
        Console.WriteLine(string.Create(c, $"{"bare publish, until confirmed",-44}{bare.Confirmed.TotalSeconds,9:F2}{bare.Events / bare.Confirmed.TotalSeconds,14:N0}  events"));
        Console.WriteLine(string.Create(c, $"{"bare publish, until consumed (no-op)",-44}{bare.Consumed.TotalSeconds,9:F2}{bare.Events / bare.Consumed.TotalSeconds,14:N0}  events"));
        Console.WriteLine(string.Create(c, $"process CPU during the upload: {cpu.TotalSeconds:F1} s ({cpu.TotalSeconds / toDone.TotalSeconds:F2} cores of {Environment.ProcessorCount})"));
        if (tracker.CpuAtCompleted is { } cpuAtCompleted)
        {
            // The ingest's CPU, against the one-thread parse-only time: how far the ratio is bound by work rather than by waiting.
            var ingestCpu = cpuAtCompleted - tracker.CpuBefore;
            Console.WriteLine(string.Create(c,
                $"process CPU during the ingest: {ingestCpu.TotalSeconds:F1} s ({ingestCpu.TotalSeconds / toCompleted.TotalSeconds:F2} cores; {ingestCpu.TotalSeconds / parse.Elapsed.TotalSeconds:F1}x the parse-only time), "
                + $"of which JIT {(tracker.JitAtCompleted - tracker.JitBefore).TotalSeconds:F1} s"));
        }

        Console.WriteLine();
        PrintTimeline(timings, tracker, toCompleted, toDone, parse, completed.TotalRows);

        Console.WriteLine();
        var countsMatch = completed.TotalRows == workload.Rows && completed.OptedOut == expected.OptedOut && completed.AlreadyOptedOut == expected.AlreadyOptedOut
                          && completed.DuplicateRows == expected.DuplicateRows && completed.InvalidRows == expected.InvalidRows
                          && completed.FlaggedRows == expected.FlaggedRows && completed.SupersededRows == 0;
        Console.WriteLine(string.Create(c,
            $"BulkUploadCompleted: total {completed.TotalRows:N0}, opted out {completed.OptedOut:N0}, already {completed.AlreadyOptedOut:N0}, repeats {completed.DuplicateRows:N0}, "
            + $"invalid {completed.InvalidRows:N0}, flagged {completed.FlaggedRows:N0}, superseded {completed.SupersededRows:N0}, "
            + $"rejected inline {completed.RejectedRows.Count:N0}, duration {completed.Duration.TotalSeconds:F1} s  {(countsMatch ? "(as generated)" : "MISMATCH")}"));
        if (!countsMatch)
        {
            Console.WriteLine(string.Create(c,
                $"  expected: opted out {expected.OptedOut:N0}, already {expected.AlreadyOptedOut:N0}, repeats {expected.DuplicateRows:N0}, invalid {expected.InvalidRows:N0}, flagged {expected.FlaggedRows:N0}"));
        }

        Console.WriteLine(string.Create(c,
            $"ConversationOptStateChanged (BulkUpload): {tracker.DistinctEvents:N0} numbers, {tracker.Events:N0} messages, {tracker.Unexpected:N0} for numbers it must not announce"));
        Console.WriteLine(string.Create(c,
            $"BulkUploadProgressed: {tracker.ProgressMessages:N0} messages, longest gap {tracker.LongestProgressGap.TotalSeconds:F1} s"));

        var (ingest, dispatch, all) = probe.Latencies();
        Console.WriteLine(string.Create(c,
            $"STOP -> ConfirmationMessageRequested during the upload (one every {StopProbe.Interval.TotalMilliseconds:F0} ms, n={all.Length:N0}): "
            + $"p50 {Percentile(all, 0.50):N0} ms, p99 {Percentile(all, 0.99):N0} ms, max {(all.Length > 0 ? all[^1] : double.NaN):N0} ms")
            + (probe.Missing > 0 ? string.Create(c, $", {probe.Missing:N0} unconfirmed") : ""));
        Console.WriteLine(string.Create(c,
            $"  during ingest (n={ingest.Length:N0}): p50 {Percentile(ingest, 0.50):N0} ms, p99 {Percentile(ingest, 0.99):N0} ms; "
            + $"during dispatch (n={dispatch.Length:N0}): p50 {Percentile(dispatch, 0.50):N0} ms, p99 {Percentile(dispatch, 0.99):N0} ms"));

        Console.WriteLine();
        Console.WriteLine(string.Create(c,
            $"ratio ingest/parse-only: {ratio:F2} (target >= {TargetRatio:F2})  {(ratio >= TargetRatio ? "PASS" : "BELOW TARGET")}"));
        Console.WriteLine(string.Create(c,
            $"whole upload incl. events: {toDone.TotalSeconds:F1} s (target < {TargetTotal.TotalSeconds:F0} s)  {(toDone < TargetTotal ? "PASS" : "BELOW TARGET")}"));
        Console.WriteLine(string.Create(c,
            $"peak working set during the upload: {peak / 1048576.0:N0} MB (target < {TargetPeakBytes / 1048576:N0} MB)  {(peak < TargetPeakBytes ? "PASS" : "BELOW TARGET")}; "
            + $"process peak {processPeak / 1048576.0:N0} MB"));

        var correct = countsMatch && tracker.Unexpected == 0 && probe.Missing == 0;
        if (!correct)
            Console.WriteLine("FAILED: the upload's result is not what the file holds (see above)");
        return correct ? 0 : 1;
    }

    /// <summary>
    /// The service's stages, from the upload's state saves (their timestamps: read, apply + report, dispatch, which
    /// follows the apply stage), and the time spent inside the store, upload-state and blob calls the decorators saw.
    /// </summary>
    private static void PrintTimeline(ServiceTimings timings, UploadTracker tracker, TimeSpan toCompleted, TimeSpan toDone, ParseOnly parse, long rows)
    {
        var c = CultureInfo.InvariantCulture;
        // The measured upload's own saves: the warm-up upload's last save may land after the measurement began.
        var saves = timings.Saves.Where(s => s.UploadId == tracker.UploadId).ToList();
        var ingested = saves.FirstOrDefault(s => s.Status != BulkUploadStatus.Running);
        var completed = saves.LastOrDefault(s => s.Status == BulkUploadStatus.Completed);
        if (saves.Count < 3 || ingested.Timestamp == 0 || completed.Timestamp == 0)
        {
            Console.WriteLine("service stages: not available (the upload's state saves were not all seen)");
            return;
        }

        var published = tracker.StartedAtTimestamp;
        var dispatchSaves = saves.Where((save, i) => i > 0 && save.EventsDispatched > saves[i - 1].EventsDispatched).ToList();
        var firstDispatch = dispatchSaves.Count > 0 ? dispatchSaves[0].Timestamp : completed.Timestamp;
        double At(long timestamp) => Stopwatch.GetElapsedTime(published, timestamp).TotalSeconds;
        string Row(string name, string detail) => string.Create(c, $"  {name,-24}{detail}");

        var read = Stopwatch.GetElapsedTime(saves[0].Timestamp, saves[1].Timestamp);
        // The apply pass ends with the checkpoint that covers every number; the report pass follows it.
        var applied = saves.LastOrDefault(s => s.Status == BulkUploadStatus.Running && s.NumbersApplied == ingested.NumbersApplied
            && s.Timestamp > saves[1].Timestamp && s.Timestamp <= ingested.Timestamp);
        var appliedAt = applied.Timestamp == 0 ? saves[1].Timestamp : applied.Timestamp;
        var apply = Stopwatch.GetElapsedTime(saves[1].Timestamp, appliedAt);
        var report = Stopwatch.GetElapsedTime(appliedAt, ingested.Timestamp);
        var checkpointSaves = TimeSpan.FromTicks(saves.Where(s => s.Timestamp > saves[1].Timestamp && s.Timestamp <= appliedAt)
            .Except(dispatchSaves).Sum(s => s.Duration.Ticks));
        // The processor prepares (and, where many numbers have a record, reads) the next batch while the store writes
        // one: what is left of the stage after the writes is the time the writer waited.
        var applyOwn = apply - timings.TryWriteMany.Elapsed - checkpointSaves;
        var reportOwn = report - timings.BlobPut.Elapsed;
        var dispatchSpan = Stopwatch.GetElapsedTime(firstDispatch, completed.Timestamp);
        Console.WriteLine("service stages (seconds after the upload was published; from the upload's state saves):");
        Console.WriteLine(Row("queue + start", string.Create(c, $"{At(saves[0].Timestamp),7:F2}  the consumer's first save")));
        Console.WriteLine(Row("validate + normalize", string.Create(c,
            $"{At(saves[1].Timestamp),7:F2}  whole file checked in {read.TotalSeconds:F2} s (parse-only would take {rows / parse.Rate:F2} s)")));
        Console.WriteLine(Row("apply", string.Create(c,
            $"{At(appliedAt),7:F2}  {apply.TotalSeconds:F2} s: writes {(timings.TryWriteMany.Elapsed + timings.TryInsertMany.Elapsed).TotalSeconds:F2} s, reads {timings.FindMany.Elapsed.TotalSeconds:F2} s, "
            + $"checkpoints {checkpointSaves.TotalSeconds:F2} s, the rest {applyOwn.TotalSeconds:F2} s (no write running: reads and batches not ready)")));
        Console.WriteLine(Row("report", string.Create(c,
            $"{At(ingested.Timestamp),7:F2}  {report.TotalSeconds:F2} s: blobs {timings.BlobPut.Elapsed.TotalSeconds:F2} s, the rest {reportOwn.TotalSeconds:F2} s (reading the file again, report lines)")));
        Console.WriteLine(Row("BulkUploadCompleted seen", string.Create(c, $"{toCompleted.TotalSeconds,7:F2}")));
        Console.WriteLine(Row("dispatch", string.Create(c,
            $"{At(firstDispatch),7:F2} -> {At(completed.Timestamp):F2}  first page to last ({dispatchSaves.Count:N0} pages, {dispatchSpan.TotalSeconds:F2} s, "
            + $"{completed.EventsDispatched / Math.Max(dispatchSpan.TotalSeconds, 1e-3):N0} events/s)")));
        Console.WriteLine(Row("last event seen", string.Create(c, $"{toDone.TotalSeconds,7:F2}")));
        Console.WriteLine("time inside the service's calls (summed over calls, which overlap across the stages):");
        Console.WriteLine(Row("FindMany", string.Create(c,
            $"{timings.FindMany.Elapsed.TotalSeconds,7:F2} s  {timings.FindMany.Calls:N0} batches, {timings.FindMany.Items:N0} numbers (apply: those that had a record when the account was listed; dispatch: each page's records)")));
        Console.WriteLine(Row("ListPhones", string.Create(c,
            $"{timings.ListPhones.Elapsed.TotalSeconds,7:F2} s  {timings.ListPhones.Calls:N0} pages, {timings.ListPhones.Items:N0} numbers (the account's, listed while the file is read)")));
        Console.WriteLine(Row("TryWriteMany", string.Create(c,
            $"{timings.TryWriteMany.Elapsed.TotalSeconds,7:F2} s  {timings.TryWriteMany.Calls:N0} batches, {timings.TryWriteMany.Items:N0} writes = "
            + $"{timings.TryWriteMany.Items / Math.Max(timings.TryWriteMany.Elapsed.TotalSeconds, 1e-3):N0}/s (the numbers that had a record)")));
        Console.WriteLine(Row("TryInsertMany", string.Create(c,
            $"{timings.TryInsertMany.Elapsed.TotalSeconds,7:F2} s  {timings.TryInsertMany.Calls:N0} batches, {timings.TryInsertMany.Items:N0} new numbers = "
            + $"{timings.TryInsertMany.Items / Math.Max(timings.TryInsertMany.Elapsed.TotalSeconds, 1e-3):N0}/s; {timings.WritesNotDone:N0} writes not done (lost a race: an insert that found a record, a version that moved on)")));
        Console.WriteLine(Row("RecordChanges", string.Create(c,
            $"{timings.RecordChanges.Elapsed.TotalSeconds,7:F2} s  {timings.RecordChanges.Calls:N0} stretches, {timings.RecordChanges.Items:N0} numbers (listed at checkpoints)")));
        Console.WriteLine(Row("ListChanges", string.Create(c,
            $"{timings.ListChanges.Elapsed.TotalSeconds,7:F2} s  {timings.ListChanges.Calls:N0} pages, {timings.ListChanges.Items:N0} numbers (dispatch)")));
        Console.WriteLine(Row("upload state saves", string.Create(c, $"{timings.UploadSaves.Elapsed.TotalSeconds,7:F2} s  {timings.UploadSaves.Calls:N0} saves")));
        Console.WriteLine(Row("single-number calls", string.Create(c,
            $"{timings.Single.Elapsed.TotalSeconds,7:F2} s  {timings.Single.Calls:N0} (the STOP probes' keyword path, lost races)")));
    }

    // Nearest-rank percentile of sorted values.
    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
