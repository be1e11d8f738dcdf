namespace Asyncio;

/// <summary>
/// Thrown by <see cref="Aio.Run{T}(Func{Coroutine{T}}, LoopOptions?)"/> (and <see cref="Runner.Close"/>) under
/// <see cref="LoopOptions.StrictExceptions"/> when the loop reported errors nobody retrieved: task or future exceptions
/// never retrieved, tasks destroyed while pending, coroutines never awaited (debug mode), exceptions thrown by callbacks.
/// Each report is in <see cref="Reports"/>; <see cref="AggregateException.InnerExceptions"/> holds their exceptions (an
/// <see cref="InvalidOperationException"/> carrying the message for a report without one).
/// </summary>
public sealed class LostErrorsException : AggregateException
{
    /// <summary>Creates the exception from the loop's reports.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="reports"/> is null.</exception>
    public LostErrorsException(IReadOnlyList<LoopExceptionContext> reports)
        : base(Summary(reports), (reports ?? throw new ArgumentNullException(nameof(reports))).Select(ExceptionOf))
    {
        Reports = reports;
    }

    /// <summary>The loop's reports, in the order they were made.</summary>
    public IReadOnlyList<LoopExceptionContext> Reports { get; }

    private static string Summary(IReadOnlyList<LoopExceptionContext>? reports)
    {
        ArgumentNullException.ThrowIfNull(reports);
        string list = string.Join("; ", reports.Select(r => r.Exception is { } e ? $"{r.Message} ({e.GetType().Name}: {e.Message})" : r.Message));
        return $"{reports.Count} error(s) were lost while the loop ran (LoopOptions.StrictExceptions): {list}";
    }

    private static Exception ExceptionOf(LoopExceptionContext report) =>
        report.Exception ?? new InvalidOperationException(report.SourceTraceback is { } tb ? report.Message + "\n" + tb : report.Message);
}
