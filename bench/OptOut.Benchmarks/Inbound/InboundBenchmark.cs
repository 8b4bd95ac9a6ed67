using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using MassTransit;

namespace OptOut.Benchmarks.Inbound;

/// <summary>
/// <c>inbound</c>: end-to-end throughput of the keyword opt-out path against the real broker, compared with a bare
/// MassTransit consumer on the same broker, and the publish-to-confirmation latency of keyword texts.
/// </summary>
internal static class InboundBenchmark
{
    public const double TargetRatio = 0.8;

    public static readonly BenchmarkCommand Command = new(
        "inbound",
        "InboundMessage throughput of the service (SQLite store) vs. a no-op MassTransit consumer, and STOP -> confirmation latency.",
        [
            new("messages", "N", "InboundMessages per phase; every 10th is a STOP keyword", "50000"),
            new("in-flight", "N", "publishes awaiting the broker's confirm at once", "256"),
            new("accounts", "N", "accounts the texts are spread over (new ones every run)", "5"),
            new("warmup", "N", "texts (same mix) consumed before each phase's clock starts, until tiered JIT has settled", "40000"),
            new("rounds", "N", "service and baseline phases measured this many times each, in alternating order; the median ratio is held to the target", "3"),
            new("warmup-rounds", "N", "whole rounds (both phases, warm-ups included) run first and printed but left out of the median: a process's first phases run colder than the rest", "1"),
            new("timeout", "SECONDS", "give up on a phase after this long, or after a minute without progress", "600"),
        ],
        RunAsync);

    private static readonly TimeSpan StallLimit = TimeSpan.FromMinutes(1);

    // The warm-up goes on until the JIT took at most this share of the process's CPU time in two rounds in a row (it
    // comes in bursts as rarer paths reach their call counts), for at most that many extra rounds.
    private const double SettledJitShare = 0.02;
    private const int MaxExtraWarmupRounds = 8;

    private sealed record Options(int Messages, int InFlight, int Accounts, int Warmup, int Rounds, int WarmupRounds, TimeSpan Timeout);

    private sealed record PhaseResult(
        string Name, int Messages, TimeSpan Elapsed, TimeSpan PublishElapsed, TimeSpan CpuTime, TimeSpan JitTime, long PeakWorkingSet,
        double[] LatenciesMs, string Summary)
    {
        /// <summary>
        /// This process's CPU time per message (publisher, consumer and observer together; the broker is not in it):
        /// steadier than the rate on a shared machine, since time spent waiting for the CPU doesn't count.
        /// </summary>
        public double CpuMicrosecondsPerMessage => CpuTime.TotalMicroseconds / Messages;

        public double Rate => Messages / Elapsed.TotalSeconds;

        public double PublishRate => Messages / PublishElapsed.TotalSeconds;
    }

    private static async Task<int> RunAsync(ParsedArguments args, CancellationToken cancellationToken)
    {
        var options = new Options(
            args.GetInt32("messages", 50_000),
            args.GetInt32("in-flight", 256, max: 10_000),
            args.GetInt32("accounts", 5, max: 1_000),
            args.GetInt32("warmup", 40_000, min: 0),
            args.GetInt32("rounds", 3, min: 1, max: 20),
            args.GetInt32("warmup-rounds", 1, min: 0, max: 5),
            TimeSpan.FromSeconds(args.GetInt32("timeout", 600)));
        var broker = BrokerSettings.FromEnvironment();
        var endpoint = EndpointSettings.FromService();

        Console.WriteLine($"inbound benchmark: {options.Messages:N0} InboundMessages per phase ({(options.Messages + 9) / 10:N0} STOP), "
                          + $"{options.Accounts} accounts, {options.InFlight} publishes in flight, warm-up {options.Warmup:N0}");
        Console.WriteLine($"broker {broker}; inbound endpoint: concurrent message limit {endpoint.ConcurrentMessageLimit}, "
                          + $"prefetch {endpoint.EffectivePrefetchCount} (Bus:PrefetchCount {endpoint.BusPrefetchCount}); "
                          + $"{Environment.ProcessorCount} cores, {(GCSettings.IsServerGC ? "server" : "workstation")} GC, .NET {Environment.Version}");
        Console.WriteLine("machine: " + MachineProbe.DescribeParallelism());

        await using var memory = new MemorySampler();
        try
        {
            // Rounds alternate which phase goes first (service-baseline, baseline-service, ...): on a shared machine the
            // speed drifts within minutes, and a drift then favours neither side of the median. The warm-up rounds come
            // first and alternate the same way; they are printed, but not held to the target.
            var rounds = new List<RoundResult>();
            var total = options.WarmupRounds + options.Rounds;
            for (var round = 1; round <= total; round++)
            {
                var warmup = round <= options.WarmupRounds;
                Console.Error.WriteLine(warmup
                    ? $"[warm-up round {round} of {options.WarmupRounds}: not measured]"
                    : $"[round {round - options.WarmupRounds} of {options.Rounds}]");
                PhaseResult service, baseline;
                if (round % 2 == 1)
                {
                    service = await RunPhaseAsync(new ServiceTarget(broker), broker, options, memory, cancellationToken);
                    baseline = await RunPhaseAsync(new BaselineTarget(broker, endpoint), broker, options, memory, cancellationToken);
                }
                else
                {
                    baseline = await RunPhaseAsync(new BaselineTarget(broker, endpoint), broker, options, memory, cancellationToken);
                    service = await RunPhaseAsync(new ServiceTarget(broker), broker, options, memory, cancellationToken);
                }

                rounds.Add(new RoundResult(warmup ? $"w{round}" : (round - options.WarmupRounds).ToString(CultureInfo.InvariantCulture), warmup, service, baseline));
            }

            PrintReport(rounds, memory.ProcessPeak);
            return 0;
        }
        catch (BenchmarkFailedException ex)
        {
            Console.Error.WriteLine();
            Console.Error.WriteLine("FAILED: " + ex.Message);
            return 1;
        }
    }

    private sealed record RoundResult(string Label, bool IsWarmup, PhaseResult Service, PhaseResult Baseline)
    {
        public double Ratio => Service.Rate / Baseline.Rate;
    }

    private static async Task<PhaseResult> RunPhaseAsync(
        IConsumingTarget target, BrokerSettings broker, Options options, MemorySampler memory, CancellationToken cancellationToken)
    {
        Console.Error.WriteLine($"[{target.Name}] starting");
        var router = new BatchRouter();
        var monitor = new BrokerDisruptionMonitor();
        var runTag = "bench" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            await target.StartAsync(router, monitor, cancellationToken);
            await target.CheckSoleConsumerAsync(cancellationToken);
            var publisher = broker.CreateBus();
            await publisher.StartAsync(cancellationToken);
            monitor.Watch(publisher);
            try
            {
                if (options.Warmup > 0)
                    await WarmUpAsync(target, publisher, router, monitor, runTag, options, cancellationToken);

                GC.Collect();
                GC.WaitForPendingFinalizers();
                memory.Reset();
                monitor.Reset();

                var batch = new BatchTracker(new InboundWorkload(runTag, options.Messages, options.Accounts), target.PublishesEvents);
                router.Add(batch);
                using var process = Process.GetCurrentProcess();
                var cpuBefore = process.TotalProcessorTime;
                var jitBefore = JitInfo.GetCompilationTime();
                var publishElapsed = await RunBatchAsync(target.Name, publisher, batch, monitor, options, cancellationToken);
                process.Refresh();
                var cpu = process.TotalProcessorTime - cpuBefore;
                var jit = JitInfo.GetCompilationTime() - jitBefore;
                await target.CheckSoleConsumerAsync(cancellationToken);
                Console.Error.WriteLine($"[{target.Name}] done in {batch.Elapsed.TotalSeconds:F1} s: {batch.Describe()}");
                return new PhaseResult(target.Name, options.Messages, batch.Elapsed, publishElapsed, cpu, jit, memory.Peak, batch.LatenciesMs(), batch.Describe());
            }
            finally
            {
                await publisher.StopAsync(CancellationToken.None);
            }
        }
        finally
        {
            Console.Error.WriteLine($"[{target.Name}] stopping and removing its queue");
            await target.StopAndCleanUpAsync(CancellationToken.None);
        }
    }

    /// <summary>
    /// Runs <c>--warmup</c> texts of the measured mix (keywords included, so the store and the event publishing are
    /// warm too) on accounts of their own, then more in rounds of a quarter of that until tiered JIT spent at most
    /// <see cref="SettledJitShare"/> of the CPU time of two rounds in a row compiling: on two cores shared with the broker the
    /// background compiler needs tens of seconds, and whichever phase runs first (the service, which also brings
    /// MassTransit's code to tier 1) would pay for it in the measurement. Bounded: at most <see cref="MaxExtraWarmupRounds"/> rounds.
    /// </summary>
    private static async Task WarmUpAsync(
        IConsumingTarget target, IBus publisher, BatchRouter router, BrokerDisruptionMonitor monitor, string runTag, Options options,
        CancellationToken cancellationToken)
    {
        var round = 0;
        var settledRounds = 0;
        var count = options.Warmup;
        using var process = Process.GetCurrentProcess();
        while (true)
        {
            process.Refresh();
            var cpuBefore = process.TotalProcessorTime;
            var jitBefore = JitInfo.GetCompilationTime();
            var warmup = new BatchTracker(
                new InboundWorkload(runTag + "w" + round.ToString(CultureInfo.InvariantCulture), count, options.Accounts), target.PublishesEvents);
            router.Add(warmup);
            await RunBatchAsync($"{target.Name} warm-up", publisher, warmup, monitor, options, cancellationToken);
            router.Remove(warmup);
            process.Refresh();
            var cpu = process.TotalProcessorTime - cpuBefore;
            var jit = JitInfo.GetCompilationTime() - jitBefore;
            settledRounds = jit <= cpu * SettledJitShare ? settledRounds + 1 : 0;
            if (settledRounds == 2 || round == MaxExtraWarmupRounds)
                return;

            round++;
            count = Math.Max(options.Warmup / 4, 10_000);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"[{target.Name} warm-up] JIT {jit.TotalSeconds:F2} s of {cpu.TotalSeconds:F1} s CPU{(settledRounds > 0 ? " (settled once)" : "")}: {count:N0} more texts"));
        }
    }

    /// <summary>Publishes the batch and waits until it is complete; returns how long publishing alone took.</summary>
    private static async Task<TimeSpan> RunBatchAsync(
        string name, IBus publisher, BatchTracker batch, BrokerDisruptionMonitor monitor, Options options, CancellationToken cancellationToken)
    {
        batch.Start();
        var publishStarted = Stopwatch.GetTimestamp();
        var publishing = PublishAsync(publisher, batch, options.InFlight, cancellationToken);
        var publishElapsed = TimeSpan.Zero;
        var lastProgress = -1;
        var lastProgressAt = Stopwatch.GetTimestamp();

        while (true)
        {
            var tick = Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);
            await (publishing.IsCompleted ? Task.WhenAny(batch.Done, tick) : Task.WhenAny(batch.Done, publishing, tick));
            cancellationToken.ThrowIfCancellationRequested();
            if (publishing.IsCompleted && publishElapsed == TimeSpan.Zero)
            {
                await publishing; // surfaces a publish failure (broker gone, ...)
                publishElapsed = Stopwatch.GetElapsedTime(publishStarted);
            }

            // A broker restart mid-run means reconnects and redeliveries: whatever the clock says then is not a figure.
            if (monitor.Disruption is { } disruption)
                throw new BenchmarkFailedException($"{name}: lost the broker connection during the run ({disruption}); run again.\n  {batch.Describe()}");

            if (batch.Done.IsCompleted && publishing.IsCompleted)
            {
                // Publishing may have finished just after the check above (the last confirm and the last event together).
                if (publishElapsed == TimeSpan.Zero)
                {
                    await publishing;
                    publishElapsed = Stopwatch.GetElapsedTime(publishStarted);
                }

                return publishElapsed;
            }

            var progress = batch.Progress;
            if (progress != lastProgress)
            {
                lastProgress = progress;
                lastProgressAt = Stopwatch.GetTimestamp();
                Console.Error.WriteLine($"[{name}] {batch.Elapsed.TotalSeconds,6:F1} s  {batch.Describe()}");
            }
            else if (Stopwatch.GetElapsedTime(lastProgressAt) > StallLimit)
            {
                throw new BenchmarkFailedException($"{name}: no progress for {StallLimit.TotalSeconds:F0} s (another consumer on the queue?).\n  {batch.DescribeMissing()}");
            }

            if (batch.Elapsed > options.Timeout)
                throw new BenchmarkFailedException($"{name}: not complete after {options.Timeout.TotalSeconds:F0} s.\n  {batch.DescribeMissing()}");
        }
    }

    /// <summary>A fixed number of publishers each awaiting its publish's broker confirm: <paramref name="inFlight"/> outstanding at any time.</summary>
    private static Task PublishAsync(IBus publisher, BatchTracker batch, int inFlight, CancellationToken cancellationToken)
    {
        var workload = batch.Workload;
        var next = -1;
        return Task.WhenAll(Enumerable.Range(0, Math.Min(inFlight, Math.Max(workload.Count, 1))).Select(_ => Task.Run(async () =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < workload.Count)
            {
                var message = workload.Create(index);
                batch.Publishing(index);
                await publisher.Publish(message, cancellationToken);
            }
        }, cancellationToken)));
    }

    private static void PrintReport(List<RoundResult> rounds, long processPeak)
    {
        var culture = CultureInfo.InvariantCulture;
        Console.WriteLine();
        Console.WriteLine(string.Create(culture, $"{"round",-6} {"phase",-10} {"messages",10} {"elapsed",10} {"msgs/s",10} {"publish msgs/s",15} {"CPU/msg",10} {"JIT",8} {"peak WS",10} {"ratio",7}"));
        foreach (var round in rounds)
        {
            foreach (var r in new[] { round.Service, round.Baseline })
            {
                var ratio = r == round.Service ? string.Create(culture, $"{round.Ratio,7:F2}") : "";
                Console.WriteLine(string.Create(culture,
                    $"{round.Label,-6} {r.Name,-10} {r.Messages,10:N0} {r.Elapsed.TotalSeconds,9:F2}s {r.Rate,10:N0} {r.PublishRate,15:N0} {r.CpuMicrosecondsPerMessage,7:N0} us {r.JitTime.TotalSeconds,6:F1} s {r.PeakWorkingSet / 1024.0 / 1024.0,7:N0} MB {ratio}"));

                // Tiered JIT still compiling during the clock means the phase was not warm.
                if (!round.IsWarmup && r.JitTime > r.CpuTime * 0.05)
                    Console.WriteLine(string.Create(culture, $"note: {r.Name} spent {r.JitTime.TotalSeconds:F1} s of {r.CpuTime.TotalSeconds:F1} s CPU in the JIT while measured: not warm yet, raise --warmup"));
            }
        }

        var measured = rounds.Where(r => !r.IsWarmup).ToList();
        var ratios = measured.Select(r => r.Ratio).Order().ToArray();
        var median = ratios.Length % 2 == 1 ? ratios[ratios.Length / 2] : (ratios[(ratios.Length / 2) - 1] + ratios[ratios.Length / 2]) / 2;
        var cpuRatios = measured.Select(r => r.Baseline.CpuMicrosecondsPerMessage / r.Service.CpuMicrosecondsPerMessage).Order().ToArray();
        Console.WriteLine();
        if (measured.Count < rounds.Count)
            Console.WriteLine($"rounds {string.Join(", ", rounds.Where(r => r.IsWarmup).Select(r => r.Label))}: warm-up, not in the figures below");
        Console.WriteLine(string.Create(culture,
            $"ratio service/baseline: {median:F2} median of {ratios.Length} (rounds: {string.Join(", ", measured.Select(r => r.Ratio.ToString("F2", culture)))}; "
            + $"CPU per message baseline/service {cpuRatios[cpuRatios.Length / 2]:F2})"));
        Console.WriteLine(string.Create(culture, $"target >= {TargetRatio:F2}: {(median >= TargetRatio ? "PASS" : "BELOW TARGET")}"));
        var latencies = measured.SelectMany(r => r.Service.LatenciesMs).Order().ToArray();
        if (latencies.Length > 0)
        {
            Console.WriteLine(string.Create(culture,
                $"STOP -> ConfirmationMessageRequested latency (n={latencies.Length:N0}, measured rounds): p50 {Percentile(latencies, 0.50):N0} ms, p99 {Percentile(latencies, 0.99):N0} ms, max {latencies[^1]:N0} ms"));
        }

        foreach (var round in rounds)
        {
            Console.WriteLine($"round {round.Label} service:  {round.Service.Summary}");
            Console.WriteLine($"round {round.Label} baseline: {round.Baseline.Summary}");
        }

        Console.WriteLine(string.Create(culture, $"process peak working set: {processPeak / 1024.0 / 1024.0:N0} MB"));
    }

    // Nearest-rank percentile of sorted values.
    private static double Percentile(double[] sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
