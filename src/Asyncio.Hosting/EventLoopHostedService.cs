using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Asyncio.Hosting;

/// <summary>
/// Runs an <see cref="EventLoop"/> on a dedicated thread while the host runs: <see cref="StartAsync"/> starts the
/// thread and returns once the loop runs and the main task (if any) is created; <see cref="StopAsync"/> cancels the
/// main task on the loop and waits, within the host's shutdown timeout, for the loop to finish its shutdown.
/// </summary>
/// <remarks>
/// The loop thread's life: create the loop (the host's <see cref="ILogger"/> as <see cref="LoopOptions.Logger"/>),
/// run it; on the loop, resolve and create the main task. When the main task ends by itself: failure or
/// cancellation → log, set <see cref="Environment.ExitCode"/>, stop the application; success → stop the application
/// if <see cref="EventLoopHostOptions.StopApplicationWhenMainCompletes"/>. At host shutdown: fire the stopping token,
/// cancel the main task, stop the loop once it is done, then (as <c>asyncio.run</c>) cancel the tasks left, wait for
/// them, shut the default executor down and close the loop.
/// </remarks>
internal sealed partial class EventLoopHostedService : IHostedService, IDisposable
{
    private readonly IServiceProvider _services;
    private readonly EventLoopHostOptions _options;
    private readonly EventLoopAccessor _accessor;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly EventLoopMainRegistration? _main;
    private readonly ILogger _logger;
    private readonly ILogger _loopLogger;
    private readonly CancellationTokenSource _stoppingCts = new();
    private readonly TaskCompletionSource _loopThreadDone = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private EventLoop? _loop;
    private AioTask? _mainTask;   // loop thread only
    private bool _stopping;       // loop thread only

    public EventLoopHostedService(IServiceProvider services, IOptions<EventLoopHostOptions> options, EventLoopAccessor accessor,
        IHostApplicationLifetime lifetime, IEnumerable<EventLoopMainRegistration> mains)
    {
        _services = services;
        _options = options.Value;
        _accessor = accessor;
        _lifetime = lifetime;
        _main = mains.LastOrDefault();
        ILoggerFactory loggers = services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
        _logger = loggers.CreateLogger("Asyncio.Hosting.EventLoopHostedService");
        _loopLogger = loggers.CreateLogger("Asyncio.EventLoop");
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() => RunLoopThread(started))
        {
            IsBackground = true,   // a main task that ignores cancellation must not keep the process alive
            Name = _options.ThreadName,
        };
        thread.Start();
        return started.Task.WaitAsync(cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        EventLoop? loop = Volatile.Read(ref _loop);
        if (loop is null)
        {
            return;   // never started
        }

        try
        {
            loop.CallSoonThreadSafe(BeginStop);
        }
        catch (InvalidOperationException)
        {
            // The loop already closed (it failed, or stopped by itself): nothing to cancel.
        }

        try
        {
            await _loopThreadDone.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            LogShutdownTimedOut(_logger, _main?.Name ?? "no main task");
        }
    }

    public void Dispose() => _stoppingCts.Dispose();

    // ------------------------------------------------------------------ the loop thread

    private void RunLoopThread(TaskCompletionSource started)
    {
        EventLoop loop;
        try
        {
            loop = new EventLoop(new LoopOptions
            {
                Clock = _options.Clock ?? (_options.UseVirtualClock ? new VirtualClock() : null),
                Debug = _options.Debug,
                Seed = _options.Seed,
                Scheduling = _options.Scheduling,
                EagerTasks = _options.EagerTasks,
                Logger = _loopLogger,
                ExecutorShutdownTimeout = _options.ExecutorShutdownTimeout,
                SlowCallbackDuration = _options.SlowCallbackDuration,
                StallThreshold = _options.StallThreshold,
                EnableInspection = _options.EnableInspection,
            });
        }
        catch (Exception e)
        {
            started.TrySetException(e);
            _loopThreadDone.TrySetResult();
            return;
        }

        AsyncServiceScope? scope = null;
        try
        {
            Volatile.Write(ref _loop, loop);
            _accessor.Set(loop, Environment.CurrentManagedThreadId);
            loop.CallSoon(() =>
            {
                try
                {
                    if (_main is not null)
                    {
                        scope = _services.CreateAsyncScope();
                        Coroutine main = _main.Create(scope.Value.ServiceProvider, _stoppingCts.Token);
                        _mainTask = loop.CreateTask(main, _main.Name);
                        _mainTask.AddDoneCallback(OnMainDone);
                    }

                    LogLoopStarted(_logger, loop.ToString(), Environment.CurrentManagedThreadId, _main?.Name ?? "(none)");
                    started.TrySetResult();
                }
                catch (Exception e)
                {
                    started.TrySetException(e);   // StartAsync throws it: the host does not start
                    _stopping = true;
                    loop.Stop();
                }
            });
            loop.RunForever();
            ShutDown(loop);
        }
        catch (Exception e)
        {
            LogLoopCrashed(_logger, e);
            started.TrySetException(e);
            SetFailureExitCode();
            StopApplicationOffLoop();
        }
        finally
        {
            try
            {
                loop.Close();
            }
            catch (Exception e)
            {
                LogLoopCrashed(_logger, e);
            }

            if (scope is { } s)
            {
                DisposeScope(s);
            }

            LogLoopClosed(_logger);
            _loopThreadDone.TrySetResult();
        }
    }

    /// <summary>Loop thread, at host shutdown: fire the token, cancel main, stop the loop when main is done.</summary>
    private void BeginStop()
    {
        if (_stopping)
        {
            return;
        }

        _stopping = true;
        EventLoop loop = _loop!;
        try
        {
            _stoppingCts.Cancel();
        }
        catch (AggregateException e)
        {
            LogStoppingCallbackFailed(_logger, e);
        }

        if (_mainTask is { IsDone: false } main)
        {
            main.Cancel("the host is stopping");
            main.AddDoneCallback(_ => loop.Stop());
        }
        else
        {
            loop.Stop();
        }
    }

    /// <summary>Loop thread: the main task is done.</summary>
    private void OnMainDone(AioFuture task)
    {
        if (task.IsCancelled)
        {
            if (!_stopping)
            {
                LogMainCancelled(_logger, task.ToString()!);
                SetFailureExitCode();
                StopApplicationOffLoop();
            }

            return;
        }

        if (task.Exception is { } error)
        {
            LogMainFailed(_logger, error, task.ToString()!);
            SetFailureExitCode();
            StopApplicationOffLoop();
            return;
        }

        LogMainCompleted(_logger, task.ToString()!);
        if (_options.StopApplicationWhenMainCompletes && !_stopping)
        {
            StopApplicationOffLoop();
        }
    }

    /// <summary>As <c>asyncio.run</c> at exit: cancel what is left, wait for it, report its errors, stop the executor.</summary>
    private void ShutDown(EventLoop loop)
    {
        IReadOnlyList<AioTask> pending = loop.AllTasks();
        if (pending.Count > 0)
        {
            Future<bool> allDone = loop.CreateFuture<bool>();
            int remaining = pending.Count;
            foreach (AioTask task in pending)
            {
                task.Cancel("the event loop is shutting down");
                task.AddDoneCallback(_ =>
                {
                    if (--remaining == 0)
                    {
                        allDone.TrySetResult(true);
                    }
                });
            }

            loop.RunUntilComplete(allDone);
            foreach (AioTask task in pending)
            {
                if (task.IsFaulted)
                {
                    loop.CallExceptionHandler(new LoopExceptionContext("unhandled exception during event loop shutdown")
                    {
                        Exception = task.Exception,
                        Task = task,
                    });
                }
            }
        }

        loop.RunUntilComplete(loop.ShutdownDefaultExecutorAsync(_options.ExecutorShutdownTimeout));
    }

    private static void DisposeScope(AsyncServiceScope scope)
    {
        ValueTask pending = scope.DisposeAsync();
        if (!pending.IsCompleted)
        {
            // Off the loop now: a scoped IAsyncDisposable service finishes on the thread pool.
            pending.AsTask().GetAwaiter().GetResult();
        }
    }

    private void SetFailureExitCode()
    {
        if (_options.FailureExitCode != 0 && Environment.ExitCode == 0)
        {
            Environment.ExitCode = _options.FailureExitCode;
        }
    }

    /// <summary>
    /// StopApplication runs the ApplicationStopping callbacks on the calling thread; run them on the thread pool,
    /// so none of them runs (or blocks) on the loop.
    /// </summary>
    private void StopApplicationOffLoop() =>
        ThreadPool.UnsafeQueueUserWorkItem(static lifetime => lifetime.StopApplication(), _lifetime, preferLocal: false);

    // ------------------------------------------------------------------ logging

    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Event loop {Loop} started on thread {ThreadId}; main: {Main}")]
    private static partial void LogLoopStarted(ILogger logger, string loop, int threadId, string main);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "The event loop's main task completed: {Task}")]
    private static partial void LogMainCompleted(ILogger logger, string task);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "The event loop's main task failed; stopping the application: {Task}")]
    private static partial void LogMainFailed(ILogger logger, Exception error, string task);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "The event loop's main task was cancelled before the host stopped; stopping the application: {Task}")]
    private static partial void LogMainCancelled(ILogger logger, string task);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "The event loop did not finish within the host's shutdown timeout (main: {Main}); its thread is left behind")]
    private static partial void LogShutdownTimedOut(ILogger logger, string main);

    [LoggerMessage(EventId = 6, Level = LogLevel.Critical, Message = "The event loop thread failed; stopping the application")]
    private static partial void LogLoopCrashed(ILogger logger, Exception error);

    [LoggerMessage(EventId = 7, Level = LogLevel.Error, Message = "A callback of the event loop's stopping token threw")]
    private static partial void LogStoppingCallbackFailed(ILogger logger, Exception error);

    [LoggerMessage(EventId = 8, Level = LogLevel.Debug, Message = "The event loop is closed")]
    private static partial void LogLoopClosed(ILogger logger);
}
