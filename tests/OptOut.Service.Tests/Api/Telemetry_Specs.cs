using OptOut.Contracts;
using System.Diagnostics;
using System.Net;
using MassTransit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using OptOut.Service.Hosting;

namespace OptOut.Service.Tests.Api;

/// <summary>
/// OpenTelemetry as an operator turns it on (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set; here to a port nobody listens
/// on): the whole service on the real broker, its spans and metrics also handed to in-memory exporters to look at.
/// </summary>
[TestFixture]
public sealed class When_telemetry_is_exported : AdminApiSpecification
{
    private readonly LockedList<Activity> _spans = new();
    private readonly LockedList<MetricSnapshot> _metrics = new();

    protected override void Configure(IWebHostBuilder builder)
    {
        builder.UseSetting("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9");
        builder.ConfigureServices(services => services
            .ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(_spans))
            .ConfigureOpenTelemetryMeterProvider(m => m.AddInMemoryExporter(_metrics)));
    }

    [Test]
    public async Task Should_trace_an_opt_out_from_the_http_request_to_the_store()
    {
        using var client = Client();
        AccountId account = Guid.NewGuid();
        using var post = await client.PostAsync(Url(account, "opt-outs"), Json(new { phones = "(555) 201-2001" }));
        await Expect(post, HttpStatusCode.OK);

        var spans = FlushSpans();
        var apply = spans.Where(s => s.OperationName == "optout.apply" && Equals(s.GetTagItem("optout.account_id"), account.Value)).ToList();
        Assert.That(apply, Has.Count.EqualTo(1), "one change, one span");
        var http = spans.Where(s => s.Kind == ActivityKind.Server && (s.GetTagItem("url.path") as string ?? "").Contains(account.ToString(), StringComparison.Ordinal)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(apply[0].GetTagItem("optout.source"), Is.EqualTo("Manual"));
            Assert.That(apply[0].GetTagItem("optout.state"), Is.EqualTo("OptedOut"));
            Assert.That(apply[0].GetTagItem("optout.decision"), Is.EqualTo("Changed"));
            Assert.That(apply[0].GetTagItem("optout.phone"), Is.EqualTo("********2001"));
            Assert.That(http, Has.Count.EqualTo(1));
            Assert.That(apply[0].TraceId, Is.EqualTo(http.Single().TraceId), "one trace: HTTP request, store, the events it publishes");
            Assert.That(spans.Any(s => s.Source.Name == "MassTransit" && s.TraceId == apply[0].TraceId && s.Kind == ActivityKind.Producer),
                "the trace goes on over the bus with the events");
        });
    }

    [TestCase("(555) 201-2002")]
    [TestCase("+15552012002")]
    [TestCase("555.201.2002")]
    public async Task Should_never_put_a_whole_number_in_a_span(string typed)
    {
        using var client = Client();
        AccountId account = Guid.NewGuid();
        using var post = await client.PostAsync(Url(account, "opt-outs"), Json(new { phones = typed }));
        await Expect(post, HttpStatusCode.OK);
        using var get = await client.GetAsync(Url(account, "opt-outs/" + Uri.EscapeDataString(typed)));
        await Expect(get, HttpStatusCode.OK);
        using var delete = await client.DeleteAsync(Url(account, "opt-outs/" + Uri.EscapeDataString(typed)));
        await Expect(delete, HttpStatusCode.OK);

        var texts = FlushSpans()
            .SelectMany(s => s.TagObjects.Select(t => $"{s.OperationName} {t.Key}={t.Value}").Prepend(s.DisplayName))
            .ToList();
        Assert.Multiple(() =>
        {
            Assert.That(texts.Where(t => t.Contains(account.ToString(), StringComparison.Ordinal)), Is.Not.Empty, "the requests were traced");
            Assert.That(texts.Where(t => new string([.. t.Where(char.IsAsciiDigit)]).Contains("2012002", StringComparison.Ordinal)), Is.Empty);
            Assert.That(texts.Where(t => t.Contains("201-2002", StringComparison.Ordinal) || t.Contains("201.2002", StringComparison.Ordinal)
                                         || t.Contains(Uri.EscapeDataString(typed), StringComparison.Ordinal)), Is.Empty);
        });
    }

    [Test]
    public async Task Should_count_transitions_keyword_hits_and_rejected_inputs()
    {
        using var client = Client();
        AccountId account = Guid.NewGuid();
        using var post = await client.PostAsync(Url(account, "opt-outs"), Json(new { phones = "+15552012003, hello" }));
        await Expect(post, HttpStatusCode.OK);
        await Services.GetRequiredService<IBus>().Publish(Messages.Text(account, "+15552012005", "")); // bad input: faulted
        await Services.GetRequiredService<IBus>().Publish(Messages.Text(account, "+15552012004", "STOP"));
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            using var found = await client.GetAsync(Url(account, "opt-outs/+15552012004"));
            if (found.StatusCode == HttpStatusCode.OK)
                break;
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "the STOP was not applied");
            await Task.Delay(100);
        }

        // The keyword's counter is added after its events are published, just after the store write the GET saw.
        await Task.Delay(500);
        // Not its result: the OTLP exporter next to the in-memory one fails (nobody listens on its port).
        Services.GetRequiredService<MeterProvider>().ForceFlush(10_000);
        var metrics = _metrics.Snapshot();
        Assert.Multiple(() =>
        {
            Assert.That(Sum(metrics, "optout.transitions", ("source", "Manual"), ("state", "OptedOut")), Is.GreaterThanOrEqualTo(1));
            Assert.That(Sum(metrics, "optout.transitions", ("source", "Keyword"), ("state", "OptedOut")), Is.GreaterThanOrEqualTo(1));
            Assert.That(Sum(metrics, "optout.keyword_hits", ("keyword", "STOP")), Is.GreaterThanOrEqualTo(1));
            Assert.That(Sum(metrics, "optout.rejected_inputs", ("message_type", "OptOutRequested"), ("input", "phone_number")), Is.GreaterThanOrEqualTo(1));
            Assert.That(Sum(metrics, "optout.rejected_inputs", ("message_type", "InboundMessage"), ("input", "message")), Is.GreaterThanOrEqualTo(1));
            // Not MassTransit's own instruments: they are created once per process (by whichever bus of the test run
            // came first), so whether they reach this host's reader depends on test order. Its spans are checked above.
        });
    }

    private List<Activity> FlushSpans()
    {
        Services.GetRequiredService<TracerProvider>().ForceFlush(10_000);
        return _spans.Snapshot();
    }

    // The cumulative sum of the counter's latest snapshot over the points that carry all the given tags.
    private static long Sum(List<MetricSnapshot> metrics, string name, params (string Key, string Value)[] tags)
    {
        var latest = metrics.LastOrDefault(m => m.Name == name);
        if (latest is null)
            return 0;
        long sum = 0;
        foreach (var point in latest.MetricPoints)
        {
            var pointTags = new Dictionary<string, object?>();
            foreach (var tag in point.Tags)
                pointTags[tag.Key] = tag.Value;
            if (tags.All(t => pointTags.TryGetValue(t.Key, out var v) && Equals(v, t.Value)))
                sum += point.GetSumLong();
        }

        return sum;
    }

    /// <summary>The exporters add from their own threads.</summary>
    private sealed class LockedList<T> : ICollection<T>
    {
        private readonly List<T> _items = [];

        public int Count
        {
            get
            {
                lock (_items)
                    return _items.Count;
            }
        }

        public bool IsReadOnly => false;

        public List<T> Snapshot()
        {
            lock (_items)
                return [.. _items];
        }

        public void Add(T item)
        {
            lock (_items)
                _items.Add(item);
        }

        public void Clear()
        {
            lock (_items)
                _items.Clear();
        }

        public bool Contains(T item)
        {
            lock (_items)
                return _items.Contains(item);
        }

        public void CopyTo(T[] array, int arrayIndex)
        {
            lock (_items)
                _items.CopyTo(array, arrayIndex);
        }

        public bool Remove(T item)
        {
            lock (_items)
                return _items.Remove(item);
        }

        public IEnumerator<T> GetEnumerator() => Snapshot().GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}

[TestFixture]
public class When_telemetry_is_configured
{
    [Test]
    public void Should_register_nothing_without_an_otlp_endpoint()
    {
        using var services = Provider(endpoint: null);
        Assert.Multiple(() =>
        {
            Assert.That(services.GetService<TracerProvider>(), Is.Null, "a listener on MassTransit's source costs every message");
            Assert.That(services.GetService<MeterProvider>(), Is.Null);
        });
    }

    [Test]
    public void Should_register_tracing_and_metrics_with_an_otlp_endpoint()
    {
        using var services = Provider(endpoint: "http://127.0.0.1:9");
        Assert.Multiple(() =>
        {
            Assert.That(services.GetService<TracerProvider>(), Is.Not.Null);
            Assert.That(services.GetService<MeterProvider>(), Is.Not.Null);
        });
    }

    [Test]
    public void Should_mask_a_phone_number_in_a_span_of_the_admin_api_whatever_its_format()
    {
        var http = new DefaultHttpContext();
        http.Request.Path = "/api/accounts/6f1c1f0e-2f5b-4a0e-9a53-1d3c1b1f0a11/opt-outs/(555) 201-1234";
        http.Request.QueryString = new QueryString("?q=+15552011234");
        http.Request.RouteValues["phone"] = "(555) 201-1234";
        using var span = new Activity("GET");

        TracePrivacy.MaskRequest(span, http.Request);
        var atStart = (string?)span.GetTagItem("url.path");
        TracePrivacy.MaskRoute(span, http.Response);

        Assert.Multiple(() =>
        {
            Assert.That(atStart, Does.EndWith("/opt-outs/(555) 201-1234"), "no run of 7 digits: the route value is needed");
            Assert.That(span.GetTagItem("url.path"), Is.EqualTo("/api/accounts/6f1c1f0e-2f5b-4a0e-9a53-1d3c1b1f0a11/opt-outs/**********1234"));
            Assert.That(span.GetTagItem("url.query"), Is.EqualTo("?q=********1234"));
        });
    }

    private static ServiceProvider Provider(string? endpoint)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(endpoint is null ? [] : [new("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint)])
            .Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddOptOutTelemetry(configuration);
        return services.BuildServiceProvider();
    }
}
