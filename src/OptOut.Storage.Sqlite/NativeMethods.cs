using System.Runtime.InteropServices;
using SQLitePCL;

namespace OptOut.Storage.Sqlite;

/// <summary>
/// SQLite's column getters called directly on a statement's raw pointer, for reads of many rows. Through
/// Microsoft.Data.Sqlite or SQLitePCLRaw, every column read costs a safe-handle reference taken and released around a
/// marshalling stub (profiled on a batch read of 200,000 records: over a quarter of its CPU). The library is the same
/// <c>e_sqlite3</c> SQLitePCLRaw loaded; the statement stays owned (and finalized) by its <see cref="sqlite3_stmt"/>.
/// </summary>
/// <remarks>
/// These getters do no I/O and never block for long (the row is already in memory), so they skip the GC transition.
/// </remarks>
internal static class NativeMethods
{
    private const string Library = "e_sqlite3";

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
    [SuppressGCTransition]
    internal static extern int sqlite3_column_type(IntPtr statement, int column);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
    [SuppressGCTransition]
    internal static extern long sqlite3_column_int64(IntPtr statement, int column);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
    [SuppressGCTransition]
    internal static extern IntPtr sqlite3_column_text(IntPtr statement, int column);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
    [SuppressGCTransition]
    internal static extern int sqlite3_column_bytes(IntPtr statement, int column);
}

/// <summary>The columns of a result row, however it is read (the store's record mapping is written once against this).</summary>
internal interface IRow
{
    long Int64(int column);

    bool IsNull(int column);

    string? Text(int column);
}

/// <summary>The current row of a <see cref="Microsoft.Data.Sqlite.SqliteDataReader"/>.</summary>
internal readonly struct ReaderRow(Microsoft.Data.Sqlite.SqliteDataReader reader) : IRow
{
    public long Int64(int column) => reader.GetInt64(column);

    public bool IsNull(int column) => reader.IsDBNull(column);

    public string? Text(int column) => reader.IsDBNull(column) ? null : reader.GetString(column);
}

/// <summary>The current row of a stepped statement, read through <see cref="NativeMethods"/>.</summary>
internal readonly struct RawRow(IntPtr statement) : IRow
{
    private const int Null = 5;

    public long Int64(int column) => NativeMethods.sqlite3_column_int64(statement, column);

    public bool IsNull(int column) => NativeMethods.sqlite3_column_type(statement, column) == Null;

    /// <summary>A text column as a string (UTF-8 in SQLite); null for NULL.</summary>
    public string? Text(int column)
    {
        // The text pointer first: it is what converts the value to text; the byte count then describes that text.
        var text = NativeMethods.sqlite3_column_text(statement, column);
        return text == IntPtr.Zero ? null : Marshal.PtrToStringUTF8(text, NativeMethods.sqlite3_column_bytes(statement, column));
    }
}
