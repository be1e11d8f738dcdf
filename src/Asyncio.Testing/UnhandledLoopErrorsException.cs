using System.Text;

namespace Asyncio.Testing;

/// <summary>
/// Thrown by <see cref="AioTest"/> when the test loop reported errors to its exception handler (with
/// <see cref="AioTestOptions.StrictExceptions"/>): errors that nobody awaited, which a plain run would only log.
/// <see cref="AggregateException.InnerExceptions"/> holds the test body's own exception first, if it failed too, then
/// the exception of each report (an <see cref="InvalidOperationException"/> with the report's text for a report
/// without one).
/// </summary>
public sealed class UnhandledLoopErrorsException : AggregateException
{
    internal UnhandledLoopErrorsException(IReadOnlyList<LoopExceptionContext> reports, Exception? bodyException)
        : base(BuildMessage(reports, bodyException), InnerExceptionsOf(reports, bodyException))
    {
        Reports = reports;
        BodyException = bodyException;
    }

    /// <summary>Every report the loop made, in order.</summary>
    public IReadOnlyList<LoopExceptionContext> Reports { get; }

    /// <summary>The exception the test body itself ended with, or null if it succeeded.</summary>
    public Exception? BodyException { get; }

    private static IEnumerable<Exception> InnerExceptionsOf(IReadOnlyList<LoopExceptionContext> reports, Exception? bodyException)
    {
        if (bodyException is not null)
        {
            yield return bodyException;
        }

        foreach (LoopExceptionContext report in reports)
        {
            yield return report.Exception ?? new InvalidOperationException(report.ToString());
        }
    }

    private static string BuildMessage(IReadOnlyList<LoopExceptionContext> reports, Exception? bodyException)
    {
        var sb = new StringBuilder();
        sb.Append("The event loop reported ").Append(reports.Count).Append(reports.Count == 1 ? " unhandled error" : " unhandled errors")
            .Append(bodyException is null ? " while the test body succeeded" : " and the test body failed too")
            .Append(" (AioTestOptions.StrictExceptions):");
        int i = 0;
        foreach (LoopExceptionContext report in reports)
        {
            sb.Append("\n  ").Append(++i).Append(". ").Append(report.Message);
            if (report.Exception is { } e)
            {
                sb.Append(": ").Append(e.GetType().Name).Append(": ").Append(e.Message);
            }

            if (report.Task is { } task)
            {
                sb.Append(" [task ").Append(task.Name).Append(']');
            }
        }

        return sb.ToString();
    }
}
