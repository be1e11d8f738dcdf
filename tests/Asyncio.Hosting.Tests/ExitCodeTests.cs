using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Asyncio.Hosting.Tests;

/// <summary>Tests that set the process-wide <see cref="Environment.ExitCode"/>: one at a time, restored after each.</summary>
[CollectionDefinition(nameof(ExitCodeCollection), DisableParallelization = true)]
public sealed class ExitCodeCollection;

/// <summary>A failed or cancelled main task stops the host with a non-zero exit code.</summary>
[Collection(nameof(ExitCodeCollection))]
public sealed class ExitCodeTests : IDisposable
{
    private readonly int _savedExitCode = Environment.ExitCode;

    public ExitCodeTests() => Environment.ExitCode = 0;

    public void Dispose() => Environment.ExitCode = _savedExitCode;

    [Fact]
    public async Task MainFails_IsLogged_StopsTheHost_AndSetsTheExitCode()
    {
        var logs = new LogCapture();
        HostApplicationBuilder builder = EventLoopHostTests.NewBuilder(logs);
        builder.Services.AddEventLoopMain(static (_, _) => Fail());

        static async Coroutine Fail()
        {
            await Aio.Sleep(0);
            throw new InvalidOperationException("main broke");
        }

        using IHost host = builder.Build();
        var accessor = host.Services.GetRequiredService<IEventLoopAccessor>();
        await host.RunAsync().WaitAsync(EventLoopHostTests.Bound);   // real-time: bounded; returns because main failed
        Assert.Equal(1, Environment.ExitCode);
        LogCapture.Entry entry = Assert.Single(logs.Entries, e => e.Level == LogLevel.Error);
        Assert.StartsWith("The event loop's main task failed; stopping the application", entry.Message, StringComparison.Ordinal);
        Assert.Equal("main broke", entry.Exception?.Message);
        Assert.True(accessor.Loop!.IsClosed);
    }

    [Fact]
    public async Task MainFails_WithAnExitCodeOfYourChoice()
    {
        var logs = new LogCapture();
        HostApplicationBuilder builder = EventLoopHostTests.NewBuilder(logs);
        builder.Services.AddEventLoop(o => o.FailureExitCode = 70);
        builder.Services.AddEventLoopMain(static (_, _) => Fail());

        static async Coroutine Fail()
        {
            await Aio.Sleep(0);
            throw new InvalidOperationException("main broke");
        }

        using IHost host = builder.Build();
        await host.RunAsync().WaitAsync(EventLoopHostTests.Bound);   // real-time: bounded
        Assert.Equal(70, Environment.ExitCode);
    }

    [Fact]
    public async Task MainCancelledBeforeTheHostStops_StopsTheHostAsAFailure()
    {
        var logs = new LogCapture();
        HostApplicationBuilder builder = EventLoopHostTests.NewBuilder(logs);
        builder.Services.AddEventLoopMain(static (_, _) => CancelItself());

        static async Coroutine CancelItself()
        {
            Aio.CurrentTask!.Cancel();
            await Aio.Sleep(1);
        }

        using IHost host = builder.Build();
        await host.RunAsync().WaitAsync(EventLoopHostTests.Bound);   // real-time: bounded
        Assert.Equal(1, Environment.ExitCode);
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Error && e.Message.StartsWith("The event loop's main task was cancelled before the host stopped", StringComparison.Ordinal));
    }

    [Fact]
    public async Task HostShutdown_CancellingMain_IsNotAFailure()
    {
        var logs = new LogCapture();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        HostApplicationBuilder builder = EventLoopHostTests.NewBuilder(logs);
        builder.Services.AddEventLoopMain((_, _) => Forever());

        async Coroutine Forever()
        {
            started.SetResult();
            await Aio.Sleep(double.PositiveInfinity);
        }

        using IHost host = builder.Build();
        await host.StartAsync();
        await started.Task.WaitAsync(EventLoopHostTests.Bound);   // real-time: bounded wait for the loop thread
        await host.StopAsync().WaitAsync(EventLoopHostTests.Bound);
        Assert.Equal(0, Environment.ExitCode);
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Warning);
    }
}
