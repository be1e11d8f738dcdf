namespace Asyncio;

/// <summary>
/// How one awaitable ended, as <see cref="Aio.Gather{T}(IEnumerable{IAioAwaitable{T}}, bool)"/> reports it with
/// <c>returnExceptions: true</c>: a value, or the exception (a <see cref="CancelledError"/> for a cancelled child).
/// </summary>
/// <typeparam name="T">The result type.</typeparam>
public readonly struct Outcome<T>
{
    private readonly T _value;

    /// <summary>A success.</summary>
    public Outcome(T value)
    {
        _value = value;
        Exception = null;
    }

    /// <summary>A failure or cancellation.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="exception"/> is null.</exception>
    public Outcome(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        _value = default!;
        Exception = exception;
    }

    /// <summary>The exception, or null on success.</summary>
    public Exception? Exception { get; }

    /// <summary>True on success.</summary>
    public bool IsSuccess => Exception is null;

    /// <summary>True if the awaitable was cancelled.</summary>
    public bool IsCancelled => Exception is CancelledError;

    /// <summary>The value; rethrows the exception if there is one.</summary>
    public T Value
    {
        get
        {
            if (Exception is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(Exception);
            }

            return _value;
        }
    }

    /// <inheritdoc/>
    public override string ToString() => Exception is null ? $"{_value}" : $"{Exception.GetType().Name}: {Exception.Message}";
}
