using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Asyncio.Hosting.Tests;

/// <summary>
/// The hosted event loop in a real generic host (<see cref="Host.CreateApplicationBuilder()"/>): start, stop, the main
/// coroutine on the loop thread, shutdown cancelling it, options, logging, the accessor.
/// </summary>
public class EventLoopHostTests
{
    /// <summary>Bound on every wait for the loop thread, so a broken host fails the test instead of hanging it.</summary>
    internal static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    internal static HostApplicationBuilder NewBuilder(LogCapture logs, IDictionary<string, string?>? configuration = null)
    {
        // Development: the host validates scopes and the service graph on Build, as an app under development does.
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], EnvironmentName = Environments.Development });
        if (configuration is not null)
        {
            builder.Configuration.AddInMemoryCollection(configuration);
        }

        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        return builder;
    }

    [Fact]
    public async Task MainCoroutine_RunsOnTheLoopThread_AndHostShutdownCancelsIt()
    {
        var logs = new LogCapture();
        var started = new TaskCompletionSource<(int ThreadId, string? ThreadName, bool OnLoop)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = new TaskCompletionSource<(bool TokenFired, string? Message)>(TaskCreationOptions.RunContinuationsAsynchronously);
        HostApplicationBuilder builder = NewBuilder(logs);
        builder.Services.AddEventLoopMain((_, token) => Main(token));

        async Coroutine Main(CancellationToken token)
        {
            started.SetResult((Environment.CurrentManagedThreadId, Thread.CurrentThread.Name, EventLoop.Current is not null));
            try
            {
                await Aio.Sleep(double.PositiveInfinity);
            }
            catch (CancelledError e)
            {
                cancelled.SetResult((token.IsCancellationRequested, e.Message));
                throw;
            }
        }

        using IHost host = builder.Build();
        var accessor = host.Services.GetRequiredService<IEventLoopAccessor>();
        Assert.Null(accessor.Loop);
        await host.StartAsync();
        EventLoop loop = accessor.GetRequiredLoop();

        // real-time: bounded waits for the loop thread to run the main coroutine.
        var (threadId, threadName, onLoop) = await started.Task.WaitAsync(Bound);
        Assert.True(onLoop);
        Assert.Equal(accessor.LoopThreadId, threadId);
        Assert.NotEqual(Environment.CurrentManagedThreadId, threadId);
        Assert.Equal("Asyncio event loop", threadName);
        Assert.True(loop.IsRunning);

        await host.StopAsync().WaitAsync(Bound);
        var (tokenFired, message) = await cancelled.Task.WaitAsync(Bound);
        Assert.True(tokenFired);
        Assert.Equal("the host is stopping", message);
        Assert.True(loop.IsClosed);
        Assert.Same(loop, accessor.Loop);
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task MainType_IsResolvedFromAScope_AndTheScopeIsDisposedAfterTheLoop()
    {
        var logs = new LogCapture();
        var probe = new Probe();
        HostApplicationBuilder builder = NewBuilder(logs);
        builder.Services.AddSingleton(probe);
        builder.Services.AddScoped<ScopedThing>();
        builder.Services.AddEventLoopMain<Worker>();

        using IHost host = builder.Build();
        await host.StartAsync();
        int loopThread = await probe.Ran.Task.WaitAsync(Bound);   // real-time: bounded wait for the loop thread
        Assert.Equal(host.Services.GetRequiredService<IEventLoopAccessor>().LoopThreadId, loopThread);
        Assert.False(probe.ScopedDisposed.Task.IsCompleted);

        await host.StopAsync().WaitAsync(Bound);
        Assert.True(probe.ScopedDisposed.Task.IsCompleted);
        Assert.Contains(logs.Entries, e => e.Category == "Asyncio.Hosting.EventLoopHostedService" && e.Message.Contains("main: Worker", StringComparison.Ordinal));
    }

    [Fact]
    public async Task MainReturns_StopsTheApplication()
    {
        var logs = new LogCapture();
        HostApplicationBuilder builder = NewBuilder(logs);
        builder.Services.AddEventLoopMain(static (_, _) => Done());

        static async Coroutine Done() => await Aio.Sleep(0);

        using IHost host = builder.Build();
        var accessor = host.Services.GetRequiredService<IEventLoopAccessor>();
        await host.RunAsync().WaitAsync(Bound);   // real-time: bounded; returns because main returned (RunAsync disposes the host)
        Assert.True(accessor.Loop!.IsClosed);
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Information && e.Message.StartsWith("The event loop's main task completed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task MainReturns_WhenTheAppShouldKeepRunning_TheLoopServesOtherServices()
    {
        var logs = new LogCapture();
        var mainDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        HostApplicationBuilder builder = NewBuilder(logs);
        builder.Services.AddEventLoop(o => o.StopApplicationWhenMainCompletes = false);
        builder.Services.AddEventLoopMain((_, _) => Main());

        async Coroutine Main()
        {
            await Aio.Sleep(0);
            Aio.GetRunningLoop().CallSoon(mainDone.SetResult);
        }

        using IHost host = builder.Build();
        await host.StartAsync();
        await mainDone.Task.WaitAsync(Bound);   // real-time: bounded wait for the loop thread
        var accessor = host.Services.GetRequiredService<IEventLoopAccessor>();
        int answer = await accessor.RunCoroutineThreadSafe(async () =>
        {
            await Aio.Sleep(0);
            return 42;
        }).WaitAsync(Bound);
        Assert.Equal(42, answer);
        Assert.False(host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested);
        await host.StopAsync().WaitAsync(Bound);
    }

    [Fact]
    public async Task NoMain_TheLoopRunsUntilTheHostStops_AndOtherServicesScheduleOntoIt()
    {
        var logs = new LogCapture();
        HostApplicationBuilder builder = NewBuilder(logs);
        builder.Services.AddEventLoop();

        using IHost host = builder.Build();
        var accessor = host.Services.GetRequiredService<IEventLoopAccessor>();
        Assert.StartsWith("The hosted event loop has not started yet", Assert.Throws<InvalidOperationException>(() => accessor.GetRequiredLoop()).Message, StringComparison.Ordinal);
        await host.StartAsync();

        var called = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        accessor.CallSoonThreadSafe(() => called.SetResult(Environment.CurrentManagedThreadId));
        Assert.Equal(accessor.LoopThreadId, await called.Task.WaitAsync(Bound));   // real-time: bounded wait

        await accessor.RunCoroutineThreadSafe(async () =>
        {
            await Aio.Sleep(0);
            Assert.Equal(accessor.LoopThreadId, Environment.CurrentManagedThreadId);
        }).WaitAsync(Bound);

        await host.StopAsync().WaitAsync(Bound);
        Assert.True(accessor.GetRequiredLoop().IsClosed);
        Assert.Throws<InvalidOperationException>(() => accessor.CallSoonThreadSafe(() => { }));
    }

    [Fact]
    public async Task Options_ComeFromConfiguration_ThenFromTheConfigureDelegate()
    {
        var logs = new LogCapture();
        HostApplicationBuilder builder = NewBuilder(logs, new Dictionary<string, string?>
        {
            ["Asyncio:EventLoop:Debug"] = "true",
            ["Asyncio:EventLoop:Seed"] = "42",
            ["Asyncio:EventLoop:UseVirtualClock"] = "true",
            ["Asyncio:EventLoop:ThreadName"] = "from config",
            ["Asyncio:EventLoop:SlowCallbackDuration"] = "00:00:02",
        });
        builder.Services.AddEventLoop(o => o.ThreadName = "from code");
        var seen = new TaskCompletionSource<(bool Debug, int? Seed, TimeProvider Clock, string? Thread, double After, TimeSpan Slow)>(TaskCreationOptions.RunContinuationsAsynchronously);
        builder.Services.AddEventLoopMain((_, _) => Main());

        async Coroutine Main()
        {
            EventLoop loop = Aio.GetRunningLoop();
            await Aio.Sleep(3600);   // virtual time: at once
            seen.SetResult((loop.Debug, loop.Seed, loop.Clock, Thread.CurrentThread.Name, loop.Time(), loop.SlowCallbackDuration));
        }

        using IHost host = builder.Build();
        await host.RunAsync().WaitAsync(Bound);   // main returns: the app stops
        var (debug, seed, clock, thread, after, slow) = await seen.Task.WaitAsync(Bound);
        Assert.Equal(TimeSpan.FromSeconds(2), slow);
        Assert.True(debug);
        Assert.Equal(42, seed);
        Assert.IsType<VirtualClock>(clock);
        Assert.Equal("from code", thread);
        Assert.Equal(3600.0, after);
    }

    [Fact]
    public async Task LoopErrors_AreLoggedThroughTheHostsLogger()
    {
        var logs = new LogCapture();
        HostApplicationBuilder builder = NewBuilder(logs);
        builder.Services.AddEventLoopMain((_, _) => Main());

        static async Coroutine Main()
        {
            Aio.GetRunningLoop().CallSoon(() => throw new FormatException("callback bug"));
            await Aio.Sleep(0);
            await Aio.Sleep(0);
        }

        using IHost host = builder.Build();
        await host.RunAsync().WaitAsync(Bound);
        LogCapture.Entry entry = Assert.Single(logs.Entries, e => e.Category == "Asyncio.EventLoop");
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.StartsWith("Exception in callback", entry.Message, StringComparison.Ordinal);
        Assert.IsType<FormatException>(entry.Exception);
    }

    [Fact]
    public async Task StopAsync_MainIgnoresCancellationPastTheShutdownTimeout_LogsAWarningAndReturns()
    {
        var logs = new LogCapture();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var probe = new Probe();
        HostApplicationBuilder builder = NewBuilder(logs);
        builder.Services.AddSingleton(probe);
        builder.Services.AddScoped<ScopedThing>();
        builder.Services.AddEventLoopMain((services, _) => Stubborn(services.GetRequiredService<ScopedThing>()));

        async Coroutine Stubborn(ScopedThing scoped)
        {
            GC.KeepAlive(scoped);
            started.SetResult();
            try
            {
                await Aio.Sleep(double.PositiveInfinity);
            }
            catch (CancelledError)
            {
                await Aio.WrapFuture(release.Task);   // keeps running after the cancel, until the test lets it go
            }
        }

        using IHost host = builder.Build();
        await host.StartAsync();
        await started.Task.WaitAsync(Bound);   // real-time: bounded wait for the loop thread

        // An already-cancelled token stands for a shutdown timeout that has run out: no real wait.
        await host.StopAsync(new CancellationToken(canceled: true)).WaitAsync(Bound);
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Warning && e.Message.StartsWith("The event loop did not finish within the host's shutdown timeout", StringComparison.Ordinal));
        EventLoop loop = host.Services.GetRequiredService<IEventLoopAccessor>().GetRequiredLoop();
        Assert.False(loop.IsClosed);

        release.SetResult();   // let the loop thread finish, so the test leaves nothing behind
        await probe.ScopedDisposed.Task.WaitAsync(Bound);   // real-time: bounded wait; the main's scope goes after the loop closed
        Assert.True(loop.IsClosed);
    }

    [Fact]
    public async Task StartAsync_MainCannotBeCreated_FailsTheHostStart()
    {
        var logs = new LogCapture();
        HostApplicationBuilder builder = NewBuilder(logs);
        builder.Services.AddEventLoopMain(static (_, _) => throw new InvalidOperationException("no main today"));

        using IHost host = builder.Build();
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync().WaitAsync(Bound));
        Assert.Equal("no main today", e.Message);
    }

    [Fact]
    public void AddEventLoopMain_Twice_Throws()
    {
        var services = new ServiceCollection();
        services.AddEventLoopMain(static (_, _) => Aio.Sleep(0, true).AsPlain());
        var e = Assert.Throws<InvalidOperationException>(() => services.AddEventLoopMain<Worker>());
        Assert.StartsWith("An event loop main coroutine is already registered", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddEventLoop_Twice_RegistersOneHostedService()
    {
        var services = new ServiceCollection();
        services.AddEventLoop();
        services.AddEventLoop(o => o.Debug = true);
        Assert.Single(services, d => d.ServiceType == typeof(IHostedService));
        Assert.Single(services, d => d.ServiceType == typeof(IEventLoopAccessor));
    }

    internal sealed class Probe
    {
        public TaskCompletionSource<int> Ran { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource ScopedDisposed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    internal sealed class ScopedThing(Probe probe) : IDisposable
    {
        public void Dispose() => probe.ScopedDisposed.TrySetResult();
    }

    internal sealed class Worker(Probe probe, ScopedThing scoped) : IEventLoopMain
    {
        public async Coroutine RunAsync(CancellationToken stoppingToken)
        {
            GC.KeepAlive(scoped);
            probe.Ran.SetResult(Environment.CurrentManagedThreadId);
            await Aio.Sleep(double.PositiveInfinity);
        }
    }
}

internal static class TestExtensions
{
    /// <summary>A <see cref="Coroutine{T}"/> as a plain <see cref="Coroutine"/>.</summary>
    public static async Coroutine AsPlain<T>(this Coroutine<T> coroutine) => await coroutine;
}
