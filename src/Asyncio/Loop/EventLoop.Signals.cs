using System.Runtime.InteropServices;

namespace Asyncio;

public sealed partial class EventLoop
{
    private readonly Dictionary<int, PosixSignalRegistration> _signalHandlers = new();

    /// <summary>
    /// Runs <paramref name="callback"/> on the loop each time <paramref name="signal"/> arrives (asyncio's
    /// <c>add_signal_handler</c>), replacing a previous handler of that signal. The signal's default action (which for
    /// SIGUSR1 or SIGTERM ends the process) is cancelled while the handler is installed. Raw signal numbers work too:
    /// <c>(PosixSignal)10</c> is SIGUSR1 on Linux.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is null.</exception>
    /// <exception cref="PlatformNotSupportedException">Not on a POSIX system.</exception>
    /// <exception cref="InvalidOperationException">The loop is closed, or this is not its thread.</exception>
    public void AddSignalHandler(PosixSignal signal, Action callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        CheckCallable(nameof(AddSignalHandler));
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("AddSignalHandler needs POSIX signals; on Windows use Console.CancelKeyPress.");
        }

        RemoveSignalHandler(signal);
        ExecutionContext? context = ExecutionContext.Capture();
        // The registration's handler runs on a runtime thread: hand the call to the loop, never run it there.
        PosixSignalRegistration registration = PosixSignalRegistration.Create(signal, ctx =>
        {
            ctx.Cancel = true;
            if (!_closed)
            {
                try
                {
                    PostThreadSafe(s => ((Action)s!)(), callback, context);
                }
                catch (InvalidOperationException)
                {
                    // closed meanwhile: the signal is dropped with the loop
                }
            }
        });
        _signalHandlers[(int)signal] = registration;
    }

    /// <summary>Removes the handler of <paramref name="signal"/> (asyncio's <c>remove_signal_handler</c>); false if there was none.</summary>
    /// <exception cref="InvalidOperationException">This is not the loop's thread.</exception>
    public bool RemoveSignalHandler(PosixSignal signal)
    {
        CheckThread(nameof(RemoveSignalHandler));
        if (!_signalHandlers.Remove((int)signal, out PosixSignalRegistration? registration))
        {
            return false;
        }

        registration.Dispose();
        return true;
    }

    private void RemoveAllSignalHandlers()
    {
        foreach (PosixSignalRegistration r in _signalHandlers.Values)
        {
            r.Dispose();
        }

        _signalHandlers.Clear();
    }
}
