using System.Diagnostics.Metrics;

namespace Asyncio.Tests.Diagnostics;

/// <summary>
/// The <c>Asyncio</c> meter. Tallies are process-wide and other tests run loops in parallel, so the assertions are on
/// lower bounds of what this test's own loop adds.
/// </summary>
public sealed class MetricsTests
{
    private sealed class Recorder : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly Dictionary<string, double> _last = new();
        private readonly Dictionary<string, int> _records = new();

        public Recorder()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "Asyncio")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((i, v, _, _) => Note(i, v));
            _listener.SetMeasurementEventCallback<int>((i, v, _, _) => Note(i, v));
            _listener.SetMeasurementEventCallback<double>((i, v, _, _) => Note(i, v));
            _listener.Start();
        }

        private void Note(Instrument instrument, double value)
        {
            lock (_last)
            {
                _last[instrument.Name] = value;
                _records[instrument.Name] = _records.GetValueOrDefault(instrument.Name) + 1;
            }
        }

        public double Observe(string name)
        {
            _listener.RecordObservableInstruments();
            lock (_last)
            {
                return _last.TryGetValue(name, out double v) ? v : throw new KeyNotFoundException($"no measurement of {name}");
            }
        }

        public int Records(string name)
        {
            lock (_last)
            {
                return _records.GetValueOrDefault(name);
            }
        }

        public void Dispose() => _listener.Dispose();
    }

    private static async Coroutine Fail() => throw new InvalidOperationException("boom");

    private static async Coroutine Forever() => await Aio.Sleep(double.PositiveInfinity);

    private static async Coroutine Spin(int steps)
    {
        for (int i = 0; i < steps; i++)
        {
            await Aio.Sleep(0);
        }
    }

    [Fact]
    public void Counters_CountThisLoopsTasksAndIterations()
    {
        using var recorder = new Recorder();
        double created = recorder.Observe("asyncio.tasks.created");
        double failed = recorder.Observe("asyncio.tasks.failed");
        double cancelled = recorder.Observe("asyncio.tasks.cancelled");
        double iterations = recorder.Observe("asyncio.loop.iterations");
        double lost = recorder.Observe("asyncio.errors.lost");

        Aio.Run(async () =>
        {
            AioTask f = Aio.CreateTask(Fail());
            AioTask c = Aio.CreateTask(Forever());
            await Aio.Sleep(0);
            c.Cancel();
            await Aio.Wait([f, c]);
            _ = Aio.CreateTask(Fail());      // never retrieved: one lost error
            await Spin(100);
        }, LoopRun.Virtual(new CapturingLogger()));

        Assert.True(recorder.Observe("asyncio.tasks.created") - created >= 4);   // main + 3
        Assert.True(recorder.Observe("asyncio.tasks.failed") - failed >= 2);
        Assert.True(recorder.Observe("asyncio.tasks.cancelled") - cancelled >= 1);
        Assert.True(recorder.Observe("asyncio.loop.iterations") - iterations >= 100);
        Assert.True(recorder.Observe("asyncio.errors.lost") - lost >= 1);
    }

    [Fact]
    public void Histograms_RecordEveryIterationThatWaited()
    {
        // A loop that blocks in its wait step between callbacks (an idle or I/O-bound loop) is sampled every time:
        // 20 wake-ups from another thread make 20 records, where one-in-64 sampling alone would make none or one.
        using var recorder = new Recorder();
        int before = recorder.Records("asyncio.loop.batch.size");
        using var loop = new EventLoop();
        var thread = new Thread(loop.RunForever) { IsBackground = true };
        thread.Start();
        using var ran = new SemaphoreSlim(0);
        for (int i = 0; i < 20; i++)
        {
            // Post only once the loop blocks in its wait step, so that each callback is run by an iteration that waited.
            Assert.True(SpinWait.SpinUntil(() => loop._inWaitStep, LoopRun.ThreadTimeout), "the loop never waited");
            loop.CallSoonThreadSafe(() => ran.Release());
            Assert.True(ran.Wait(LoopRun.ThreadTimeout), "the loop did not run the callback");
        }

        loop.CallSoonThreadSafe(loop.Stop);
        Assert.True(thread.Join(LoopRun.ThreadTimeout));
        loop.Close();
        int records = recorder.Records("asyncio.loop.batch.size") - before;
        Assert.True(records >= 20, $"only {records} samples of 20 iterations that waited");
    }

    [Fact]
    public void Histograms_AreSampledOncePerSixtyFourIterations_WhileSomeoneListens()
    {
        using var recorder = new Recorder();
        int before = recorder.Records("asyncio.loop.batch.size");
        Aio.Run(() => Spin(640), LoopRun.Virtual());
        int records = recorder.Records("asyncio.loop.batch.size") - before;
        Assert.True(records >= 640 / 64 - 1, $"only {records} samples of 640+ iterations");
        Assert.True(recorder.Records("asyncio.loop.batch.duration") > 0);
        Assert.True(recorder.Records("asyncio.loop.lag") > 0);
    }

    [Fact]
    public void AliveTasks_AndOpenLoops_AreObservable()
    {
        using var recorder = new Recorder();
        using var loop = LoopRun.NewLoop();
        AioTask t = loop.CreateTask(Forever());
        LoopRun.RunBriefly(loop);
        Assert.True(recorder.Observe("asyncio.tasks.alive") >= 1);
        Assert.True(recorder.Observe("asyncio.loops.open") >= 1);
        t.Cancel();
        LoopRun.RunBriefly(loop);
        Assert.True(t.IsCancelled);
    }
}
