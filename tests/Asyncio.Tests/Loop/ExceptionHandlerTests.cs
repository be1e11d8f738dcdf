using Microsoft.Extensions.Logging;
using static Asyncio.Tests.LoopRun;

namespace Asyncio.Tests.Loop;

/// <summary>
/// Ports of CPython's exception-handler tests: <c>test_base_events.py</c> (<c>test_default_exc_handler_callback</c>,
/// <c>test_set_exc_handler_custom</c>, <c>test_set_exc_handler_broken</c>, <c>test_default_exc_handler_broken</c>) and
/// <c>test_events.py</c> <c>HandleTests.test_callback_with_exception</c>.
/// </summary>
public sealed class ExceptionHandlerTests : IDisposable
{
    private readonly CapturingLogger _log = new();
    private readonly EventLoop _loop;

    public ExceptionHandlerTests() => _loop = NewLoop(_log);

    public void Dispose() => _loop.Close();

    private static void ZeroError() => throw new DivideByZeroException("1/0");

    // CPython: test_base_events.py BaseEventLoopTests.test_set_exc_handler_custom
    [Fact]
    public void SetExceptionHandler_CallbackThrows_HandlerGetsLoopMessageAndException()
    {
        Assert.Null(_loop.GetExceptionHandler());
        var calls = new List<(EventLoop Loop, LoopExceptionContext Context)>();
        Action<EventLoop, LoopExceptionContext> handler = (l, c) => calls.Add((l, c));
        _loop.SetExceptionHandler(handler);
        Assert.Same(handler, _loop.GetExceptionHandler());

        _loop.CallSoon(ZeroError);
        RunBriefly(_loop);

        var (loop, ctx) = Assert.Single(calls);
        Assert.Same(_loop, loop);
        Assert.Matches("^Exception in callback .*ZeroError", ctx.Message);
        Assert.IsType<DivideByZeroException>(ctx.Exception);
        Assert.NotNull(ctx.Handle);
        Assert.Empty(_log.Entries);   // the custom handler replaces the default one
    }

    // CPython: test_base_events.py BaseEventLoopTests.test_set_exc_handler_custom: context['handle'] is the handle
    // call_soon returned.
    [Fact]
    public void SetExceptionHandler_CallSoonCallbackThrows_ContextHandleIsTheReturnedHandle()
    {
        LoopExceptionContext? ctx = null;
        _loop.SetExceptionHandler((_, c) => ctx = c);
        Handle handle = _loop.CallSoon(ZeroError);
        RunBriefly(_loop);
        Assert.NotNull(ctx);
        Assert.Equal<object?>(handle, ctx!.Handle);
        Assert.Equal<object?>(handle, ctx["handle"]);
    }

    // CPython: events.py _ThreadSafeHandle._run reports with 'handle': the handle call_soon_threadsafe returned.
    [Fact]
    public void SetExceptionHandler_CallSoonThreadSafeCallbackThrows_ContextHandleIsTheReturnedHandle()
    {
        LoopExceptionContext? ctx = null;
        _loop.SetExceptionHandler((_, c) => ctx = c);
        Handle handle = _loop.CallSoonThreadSafe(ZeroError);
        RunBriefly(_loop);
        Assert.NotNull(ctx);
        Assert.Matches("^Exception in callback .*ZeroError", ctx!.Message);
        Assert.Equal<object?>(handle, ctx.Handle);
    }

    // CPython: test_base_events.py BaseEventLoopTests.test_default_exc_handler_callback (call_later part): for a timer
    // callback the handle is the TimerHandle.
    [Fact]
    public void SetExceptionHandler_TimerCallbackThrows_ContextHandleIsTheTimerHandle()
    {
        LoopExceptionContext? ctx = null;
        _loop.SetExceptionHandler((_, c) => ctx = c);
        TimerHandle timer = _loop.CallLater(0.01, ZeroError);
        _loop.CallLater(0.02, _loop.Stop);
        _loop.RunForever();
        Assert.NotNull(ctx);
        Assert.Matches("^Exception in callback .*ZeroError", ctx!.Message);
        Assert.IsType<DivideByZeroException>(ctx.Exception);
        Assert.Same(timer, ctx.Handle);
    }

    // CPython: test_base_events.py BaseEventLoopTests.test_default_exc_handler_callback (call_soon part) and
    // test_set_exc_handler_custom (after set_exception_handler(None)): the default handler logs an error with the
    // exception attached.
    [Fact]
    public void DefaultHandler_CallbackThrows_LogsErrorWithMessageAndException()
    {
        var custom = new List<LoopExceptionContext>();
        _loop.SetExceptionHandler((_, c) => custom.Add(c));
        _loop.SetExceptionHandler(null);
        Assert.Null(_loop.GetExceptionHandler());

        var f = _loop.CreateFuture<bool>();
        _loop.CallSoon(() =>
        {
            f.SetResult(true);
            ZeroError();
        });
        f.AddDoneCallback(_ => _loop.Stop());
        _loop.RunForever();

        var entry = Assert.Single(_log.Entries);
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.Matches("^Exception in callback", entry.Message);
        Assert.IsType<DivideByZeroException>(entry.Exception);
        Assert.Empty(custom);
    }

    // CPython: events.py Handle._run: an exception in one callback does not stop the loop or the other callbacks.
    [Fact]
    public void CallbackThrows_OtherCallbacksOfTheIterationStillRun()
    {
        var contexts = new List<LoopExceptionContext>();
        _loop.SetExceptionHandler((_, c) => contexts.Add(c));
        var log = new List<string>();
        _loop.CallSoon(ZeroError);
        _loop.CallSoon(() => log.Add("after"));
        _loop.CallSoon(() => throw new FormatException("second"));
        _loop.CallSoon(() => log.Add("last"));
        RunBriefly(_loop);
        Assert.Equal(new[] { "after", "last" }, log);
        Assert.Equal(new[] { typeof(DivideByZeroException), typeof(FormatException) }, contexts.Select(c => c.Exception!.GetType()));
    }

    // CPython: test_base_events.py BaseEventLoopTests.test_set_exc_handler_broken
    [Fact]
    public void SetExceptionHandler_HandlerThrows_DefaultHandlerLogsUnhandledErrorInExceptionHandler()
    {
        _loop.SetExceptionHandler((_, _) => throw new MissingMemberException("spam"));
        _loop.CallSoon(ZeroError);
        RunBriefly(_loop);

        var entry = Assert.Single(_log.Entries);
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.StartsWith("Unhandled error in exception handler", entry.Message, StringComparison.Ordinal);
        var e = Assert.IsType<MissingMemberException>(entry.Exception);
        Assert.Equal("spam", e.Message);
        // The original context travels along under the key "context".
        Assert.Contains("context: Exception in callback", entry.Message, StringComparison.Ordinal);
    }

    // CPython: base_events.py default_exception_handler: the message, then one "key: value" line per other key, sorted.
    [Fact]
    public void DefaultExceptionHandler_ExtraKeys_LogsSortedKeyValueLines()
    {
        var exc = new InvalidOperationException("boom");
        _loop.DefaultExceptionHandler(new LoopExceptionContext("Something failed")
        {
            Exception = exc,
            Extra = new Dictionary<string, object?> { ["zeta"] = 1, ["alpha"] = "two" },
            Handle = "the handle",
        });
        var entry = Assert.Single(_log.Entries);
        Assert.Equal("Something failed\nalpha: two\nhandle: the handle\nzeta: 1", entry.Message);
        Assert.Same(exc, entry.Exception);
    }

    // CPython: base_events.py call_exception_handler with no custom handler goes to default_exception_handler.
    [Fact]
    public void CallExceptionHandler_NoCustomHandler_UsesDefaultHandler()
    {
        _loop.CallExceptionHandler(new LoopExceptionContext("plain message"));
        var entry = Assert.Single(_log.Entries);
        Assert.Equal("plain message", entry.Message);
        Assert.Null(entry.Exception);
    }

    // CPython: the context dict: 'message' always, 'exception', 'handle', 'task', ... only when set.
    [Fact]
    public void LoopExceptionContext_AsDictionary_ExposesAsyncioKeyNames()
    {
        var exc = new InvalidOperationException("x");
        var ctx = new LoopExceptionContext("m")
        {
            Exception = exc,
            Handle = "h",
            Extra = new Dictionary<string, object?> { ["custom"] = 5 },
        };
        Assert.Equal("m", ctx["message"]);
        Assert.Same(exc, ctx["exception"]);
        Assert.Equal("h", ctx["handle"]);
        Assert.Equal(5, ctx["custom"]);
        Assert.True(ctx.ContainsKey("message"));
        Assert.False(ctx.ContainsKey("task"));
        Assert.False(ctx.ContainsKey("future"));
        Assert.Equal(new[] { "message", "exception", "handle", "custom" }, ctx.Keys);
        Assert.Equal(4, ctx.Count);
        Assert.False(ctx.TryGetValue("task", out _));
        var e = Assert.Throws<KeyNotFoundException>(() => ctx["task"]);
        Assert.Contains("'task'", e.Message, StringComparison.Ordinal);
    }

    // CPython: base_events.py call_exception_handler (3.12+) runs the custom handler in the failing handle's context.
    [Fact]
    public void SetExceptionHandler_CallbackThrows_HandlerRunsInTheCallbacksContext()
    {
        var local = new AsyncLocal<string?>();
        string? seen = "unset";
        _loop.SetExceptionHandler((_, _) => seen = local.Value);
        local.Value = "callback context";
        _loop.CallSoon(ZeroError);
        local.Value = null;
        RunBriefly(_loop);
        Assert.Equal("callback context", seen);
    }

    // Bad input: null contexts and messages.
    [Fact]
    public void NullContextOrMessage_ThrowArgumentNull()
    {
        Assert.Equal("context", Assert.Throws<ArgumentNullException>(() => _loop.CallExceptionHandler(null!)).ParamName);
        Assert.Equal("context", Assert.Throws<ArgumentNullException>(() => _loop.DefaultExceptionHandler(null!)).ParamName);
        Assert.Equal("message", Assert.Throws<ArgumentNullException>(() => new LoopExceptionContext(null!)).ParamName);
    }
}

[CollectionDefinition(nameof(ConsoleErrorCollection), DisableParallelization = true)]
public sealed class ConsoleErrorCollection
{
}

/// <summary>Tests that capture <see cref="Console.Error"/>; they run alone so no other test writes there meanwhile.</summary>
[Collection(nameof(ConsoleErrorCollection))]
public sealed class ExceptionHandlerStderrTests
{
    private static string CaptureStderr(Action action)
    {
        TextWriter saved = Console.Error;
        var writer = new StringWriter();
        Console.SetError(writer);
        try
        {
            action();
        }
        finally
        {
            Console.SetError(saved);
        }

        return writer.ToString();
    }

    // CPython: base_events.py default_exception_handler without a logger configured: asyncio's logger writes to stderr.
    [Fact]
    public void DefaultHandler_NoLogger_WritesMessageAndExceptionToStderr()
    {
        using var loop = NewLoop();
        string err = CaptureStderr(() =>
        {
            loop.CallSoon(() => throw new DivideByZeroException("zero!"));
            RunBriefly(loop);
        });
        Assert.Contains("Exception in callback", err, StringComparison.Ordinal);
        Assert.Contains("DivideByZeroException", err, StringComparison.Ordinal);
        Assert.Contains("zero!", err, StringComparison.Ordinal);
    }

    // CPython: test_base_events.py BaseEventLoopTests.test_default_exc_handler_broken (first half): a default handler
    // that fails is reported as 'Exception in default exception handler' and the loop goes on.
    [Fact]
    public void DefaultHandler_LoggerThrows_ReportsExceptionInDefaultExceptionHandler()
    {
        var logger = new CapturingLogger { ThrowOnLog = new FormatException("spam") };
        using var loop = NewLoop(logger);
        var log = new List<string>();
        string err = CaptureStderr(() =>
        {
            loop.CallSoon(() => throw new DivideByZeroException());
            loop.CallSoon(() => log.Add("still running"));
            RunBriefly(loop);
        });
        Assert.Equal(new[] { "still running" }, log);
        Assert.Contains("Exception in default exception handler", err, StringComparison.Ordinal);
        Assert.Contains("spam", err, StringComparison.Ordinal);
    }

    // CPython: test_base_events.py BaseEventLoopTests.test_default_exc_handler_broken (second half): custom handler and
    // default handler both fail.
    [Fact]
    public void CustomAndDefaultHandlerThrow_ReportsWhileHandlingErrorInCustomHandler()
    {
        var logger = new CapturingLogger { ThrowOnLog = new FormatException("spam") };
        using var loop = NewLoop(logger);
        loop.SetExceptionHandler((_, _) => throw new ArgumentException("ham"));
        string err = CaptureStderr(() =>
        {
            loop.CallSoon(() => throw new DivideByZeroException());
            RunBriefly(loop);
        });
        Assert.Matches("Exception in default exception.*while handling.*in (a )?custom", err);
    }
}
