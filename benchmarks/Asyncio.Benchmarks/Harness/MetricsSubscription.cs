using System.Diagnostics.Metrics;

namespace Asyncio.Benchmarks.Harness;

/// <summary>
/// Listens to every instrument of the <c>Asyncio</c> meter, aggregating what it receives the way a metrics exporter
/// would (sum and count per instrument), and collects the observable ones once a second. For <c>--listen-metrics</c>.
/// </summary>
internal sealed class MetricsSubscription : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Timer _collector;
    private double _sum;
    private long _count;

    public MetricsSubscription()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Asyncio")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<int>((_, v, _, _) => Add(v));
        _listener.SetMeasurementEventCallback<long>((_, v, _, _) => Add(v));
        _listener.SetMeasurementEventCallback<double>((_, v, _, _) => Add(v));
        _listener.Start();
        _collector = new Timer(_ => _listener.RecordObservableInstruments(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    private void Add(double value)
    {
        // Histograms are recorded on the loop thread, observables on the timer's: a lock keeps the tally right.
        lock (_listener)
        {
            _sum += value;
            _count++;
        }
    }

    public void Dispose()
    {
        _collector.Dispose();
        _listener.Dispose();
        Console.Error.WriteLine($"# metrics: {_count} measurements received (sum {_sum:0.###})");
    }
}
