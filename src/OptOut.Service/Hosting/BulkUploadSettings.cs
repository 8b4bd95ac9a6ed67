using System.Globalization;
using OptOut.Core.Bulk;

namespace OptOut.Service.Hosting;

/// <summary>
/// Configuration section <c>BulkUpload</c>: the tuning of Core's <see cref="BulkUploadOptions"/>, bound once
/// (<c>IOptions&lt;BulkUploadSettings&gt;</c>) and checked when the service starts. The defaults are Core's. A row's
/// length limit (<see cref="BulkFileLimits.MaxRowBytes"/>) is a rule of the file format, not a setting.
/// </summary>
public sealed class BulkUploadSettings
{
    public const string Section = "BulkUpload";

    private static readonly BulkUploadOptions Defaults = new();

    /// <summary>An upload with more data rows fails as a whole, writing nothing.</summary>
    public long MaxRows { get; set; } = Defaults.Limits.MaxRows;

    /// <summary>Numbers read and written per store round trip.</summary>
    public int BatchSize { get; set; } = Defaults.BatchSize;

    /// <summary>Rows between an upload's checkpoints.</summary>
    public int CheckpointRows { get; set; } = Defaults.CheckpointRows;

    /// <summary>Threads parsing an upload's numbers (<see cref="BulkUploadOptions.ParseThreads"/>).</summary>
    public int ParseThreads { get; set; } = Defaults.ParseThreads;

    /// <summary>Accounts with more records than this are not listed while an upload reads its file (<see cref="BulkUploadOptions.MaxListedNumbers"/>).</summary>
    public int MaxListedNumbers { get; set; } = Defaults.MaxListedNumbers;

    /// <summary>Progress is published at most this often.</summary>
    public TimeSpan ProgressInterval { get; set; } = Defaults.ProgressInterval;

    /// <summary>How long an upload's report (and its chunks) is kept.</summary>
    public TimeSpan ReportTimeToLive { get; set; } = Defaults.ReportTimeToLive;

    /// <summary>Core's options with these values.</summary>
    public BulkUploadOptions ToOptions() => Defaults with
    {
        Limits = Defaults.Limits with { MaxRows = MaxRows },
        BatchSize = BatchSize,
        CheckpointRows = CheckpointRows,
        ParseThreads = ParseThreads,
        MaxListedNumbers = MaxListedNumbers,
        ProgressInterval = ProgressInterval,
        ReportTimeToLive = ReportTimeToLive,
    };

    /// <summary>Throws, naming the setting, for a value that can't work.</summary>
    public void EnsureUsable()
    {
        foreach (var (name, value, min, max) in (ReadOnlySpan<(string, long, long, long)>)[
                     ("MaxRows", MaxRows, 1, long.MaxValue), ("BatchSize", BatchSize, 1, 100_000), ("CheckpointRows", CheckpointRows, 1, int.MaxValue),
                     ("ParseThreads", ParseThreads, 1, 64), ("MaxListedNumbers", MaxListedNumbers, 0, int.MaxValue)])
        {
            if (value < min || value > max)
                throw new InvalidOperationException($"{Section}:{name} is {value}; it must be between {min} and {max}.");
        }

        foreach (var (name, value) in (ReadOnlySpan<(string, TimeSpan)>)[("ProgressInterval", ProgressInterval), ("ReportTimeToLive", ReportTimeToLive)])
        {
            if (value <= TimeSpan.Zero)
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"{Section}:{name} is {value}; it must be longer than zero."));
        }
    }
}
