using OptOut.Contracts;

namespace OptOut.Core.Bulk;

/// <summary>
/// What the scan found in an upload's file: per row what it is (<see cref="RowKeys"/>, in file order), the distinct
/// numbers sorted (<see cref="Numbers"/>, the order the apply stage writes them in), and the counts reading alone gives.
/// </summary>
/// <param name="Rows">Data rows in the file.</param>
/// <param name="RowKeys">Per row, row 1 first: rejected, a repeat, or a number's first row with the number's place in <paramref name="Numbers"/>.</param>
/// <param name="Numbers">The distinct numbers, sorted by <see cref="NumberKey.Packed"/>: the valid ones in phone order, then the flagged ones.</param>
/// <param name="Counts">Invalid, duplicate and flagged rows.</param>
/// <param name="Rejected">The first <see cref="BulkUploadState.MaxRejectedRowsInline"/> rejected rows.</param>
internal sealed record ScanResult(long Rows, RowKey[] RowKeys, NumberKey[] Numbers, BulkUploadCounts Counts, IReadOnlyList<BulkUploadRejectedRow> Rejected);
