using Microsoft.Extensions.Logging;

namespace Asyncio;

public sealed partial class EventLoop
{
    private Action<EventLoop, LoopExceptionContext>? _exceptionHandler;

    /// <summary>
    /// Sets the handler that receives errors nobody else can (asyncio's <c>set_exception_handler</c>); null restores
    /// the default handler, which logs through <see cref="LoopOptions.Logger"/> or to standard error.
    /// </summary>
    public void SetExceptionHandler(Action<EventLoop, LoopExceptionContext>? handler)
    {
        CheckThread(nameof(SetExceptionHandler));
        _exceptionHandler = handler;
    }

    /// <summary>The handler set by <see cref="SetExceptionHandler"/>, or null for the default.</summary>
    public Action<EventLoop, LoopExceptionContext>? GetExceptionHandler() => _exceptionHandler;

    /// <summary>
    /// Reports <paramref name="context"/> to the exception handler (asyncio's <c>call_exception_handler</c>). If a custom
    /// handler throws, the default handler logs "Unhandled error in exception handler" with the original context.
    /// Never throws.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is null.</exception>
    public void CallExceptionHandler(LoopExceptionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var handler = _exceptionHandler;
        if (handler is null)
        {
            try
            {
                DefaultExceptionHandler(context);
            }
            catch (Exception e)
            {
                WriteToStderr("Exception in default exception handler", e);
            }

            return;
        }

        try
        {
            handler(this, context);
        }
        catch (Exception e)
        {
            try
            {
                DefaultExceptionHandler(new LoopExceptionContext("Unhandled error in exception handler")
                {
                    Exception = e,
                    InnerContext = context,
                });
            }
            catch (Exception e2)
            {
                WriteToStderr("Exception in default exception handler while handling an unexpected error in a custom exception handler", e2);
            }
        }
    }

    /// <summary>
    /// asyncio's <c>default_exception_handler</c>: logs an error with the message, one sorted <c>key: value</c> line per
    /// other key, and the exception, through <see cref="LoopOptions.Logger"/> (standard error when none is given).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is null.</exception>
    public void DefaultExceptionHandler(LoopExceptionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        string text = context.ToString();
        if (Options.Logger is { } logger)
        {
#pragma warning disable CA1848, CA2254 // the text is built by asyncio's rules, not a template
            logger.LogError(context.Exception, text);
#pragma warning restore CA1848, CA2254
        }
        else
        {
            WriteToStderr(text, context.Exception);
        }
    }

    private static void WriteToStderr(string text, Exception? e)
    {
        var err = Console.Error;
        lock (err)
        {
            err.WriteLine(text);
            if (e is not null)
            {
                err.WriteLine(e.ToString());
            }
        }
    }
}
