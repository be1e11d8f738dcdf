namespace Asyncio;

/// <summary>
/// Thrown at the current await of a task that was cancelled (asyncio's <c>CancelledError</c>). It derives from
/// <see cref="OperationCanceledException"/>, so .NET code that handles cancellation handles it too.
/// </summary>
/// <remarks>
/// C# has no <c>BaseException</c>: a <c>catch (Exception)</c> catches this as well. Let it propagate (rethrow it)
/// unless you mean to suppress the cancellation; a task that catches it and returns normally is not cancelled.
/// </remarks>
public class CancelledError : OperationCanceledException
{
    /// <summary>The message used when <see cref="AioTask.Cancel(string?)"/> was given none.</summary>
    public const string DefaultMessage = "The task or future was cancelled.";

    /// <summary>A cancellation without a message.</summary>
    public CancelledError()
        : base(DefaultMessage)
    {
    }

    /// <summary>A cancellation carrying the message given to <c>Cancel(msg)</c>.</summary>
    public CancelledError(string? cancelMessage)
        : base(cancelMessage ?? DefaultMessage)
    {
        CancelMessage = cancelMessage;
    }

    /// <summary>A cancellation with a message and an inner exception.</summary>
    public CancelledError(string? cancelMessage, Exception? innerException)
        : base(cancelMessage ?? DefaultMessage, innerException)
    {
        CancelMessage = cancelMessage;
    }

    /// <summary>A cancellation that also carries the cancelled task's <see cref="CancellationToken"/>.</summary>
    public CancelledError(string? cancelMessage, CancellationToken token)
        : base(cancelMessage ?? DefaultMessage, token)
    {
        CancelMessage = cancelMessage;
    }

    /// <summary>The message passed to <c>Cancel(msg)</c>, or null (asyncio's <c>CancelledError.args</c>).</summary>
    public string? CancelMessage { get; }
}

/// <summary>An operation was attempted on a future in the wrong state (asyncio's <c>InvalidStateError</c>).</summary>
public class InvalidStateError : InvalidOperationException
{
    /// <summary>Creates the error with a message saying what was wrong.</summary>
    public InvalidStateError(string message)
        : base(message)
    {
    }
}

/// <summary>
/// Thrown by <see cref="Aio.Run{T}(Func{Coroutine{T}}, LoopOptions?)"/> and <see cref="Runner"/> when Ctrl-C (SIGINT)
/// cancelled the main task and it ended cancelled (asyncio raises <c>KeyboardInterrupt</c>, which C# does not have).
/// A second Ctrl-C ends the process at once with exit code 130.
/// </summary>
public sealed class KeyboardInterruptException : Exception
{
    /// <summary>Creates the exception.</summary>
    public KeyboardInterruptException()
        : base("Interrupted by Ctrl-C (SIGINT): the main task was cancelled and ended cancelled.")
    {
    }

    /// <summary>Creates the exception with the cancellation that ended the main task.</summary>
    public KeyboardInterruptException(Exception? innerException)
        : base("Interrupted by Ctrl-C (SIGINT): the main task was cancelled and ended cancelled.", innerException)
    {
    }
}
