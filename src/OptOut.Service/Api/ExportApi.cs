using System.Globalization;
using System.Text;
using OptOut.Contracts;
using OptOut.Core;
using OptOut.Core.Bulk;

namespace OptOut.Service.Api;

/// <summary><c>opt-outs.csv</c>: every current opt-out of an account, safe to open in a spreadsheet.</summary>
public static class ExportApi
{
    public static void Map(RouteGroupBuilder api) =>
        api.MapGet("/opt-outs.csv", Export).Produces<string>(StatusCodes.Status200OK, "text/csv");

    /// <summary>Streams every current opt-out a page at a time: a million rows never sit in memory.</summary>
    private static async Task Export(AccountId accountId, HttpContext http, IOptOutStore store, CancellationToken ct)
    {
        http.Response.ContentType = "text/csv; charset=utf-8";
        // ':' can't be in a file name on Windows (browsers save it as '_'): the name is the one the file is saved as.
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"opt-outs-{accountId.Value.Replace(':', '_')}.csv\"";
        var body = http.Response.BodyWriter.AsStream();
        await using var writer = new StreamWriter(body, new UTF8Encoding(false), 64 * 1024);
        await writer.WriteAsync("phone,optedOutAt,source,note\n");
        string? after = null;
        var line = new StringBuilder(256);
        while (true)
        {
            var page = await store.ListAsync(accountId, OptState.OptedOut, after, 1_000, ct);
            if (page.Count == 0)
                break;
            foreach (var record in page)
            {
                line.Clear();
                line.Append(record.Phone).Append(',')
                    .Append(record.StateAt.ToString("O", CultureInfo.InvariantCulture)).Append(',')
                    .Append(record.Source).Append(',');
                CsvCell.Append(line, record.Note);
                line.Append('\n');
                await writer.WriteAsync(line, ct);
            }

            after = page[^1].Phone;
            await writer.FlushAsync(ct);
        }
    }
}
