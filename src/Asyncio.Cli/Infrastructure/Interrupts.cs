using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Asyncio.Cli.Infrastructure;

/// <summary>
/// Ctrl-C and cleanup for one command: the first SIGINT (or SIGTERM) cancels <see cref="Token"/> and kills every child
/// process started through <see cref="Start"/>, so the measurements unwind through their <c>finally</c> blocks; a
/// second SIGINT kills the children and ends the process at once (exit code 130). <see cref="Dispose"/> kills children
/// still running, so nothing outlives the command, whatever way it ends.
/// </summary>
internal sealed class Interrupts : IDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private readonly List<Process> _children = [];
    private readonly List<PosixSignalRegistration> _registrations = [];
    private int _signals;
    private volatile bool _disposed;

    private Interrupts()
    {
        if (OperatingSystem.IsWindows())
        {
            Console.CancelKeyPress += OnCancelKeyPress;
        }
        else
        {
            foreach (PosixSignal s in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM })
            {
                try
                {
                    _registrations.Add(PosixSignalRegistration.Create(s, OnSignal));
                }
                catch (Exception e) when (e is PlatformNotSupportedException or IOException)
                {
                    // no signal handling here: cleanup still runs on Dispose and at process exit
                }
            }
        }

        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
    }

    /// <summary>Cancelled on the first Ctrl-C.</summary>
    public CancellationToken Token => _cts.Token;

    /// <summary>Whether Ctrl-C (or SIGTERM) arrived.</summary>
    public bool Interrupted => _cts.IsCancellationRequested;

    /// <summary>Installs the handlers for the duration of one command.</summary>
    public static Interrupts Install() => new();

    /// <summary>Starts a child process that is killed (with its own children) on Ctrl-C or when the command ends.</summary>
    /// <exception cref="OperationCanceledException">Ctrl-C already arrived.</exception>
    public Process Start(ProcessStartInfo info)
    {
        _cts.Token.ThrowIfCancellationRequested();
        var p = new Process { StartInfo = info };
        lock (_children)
        {
            p.Start();
            _children.Add(p);
        }

        return p;
    }

    /// <summary>Kills <paramref name="p"/> (if still running) and forgets it.</summary>
    public void Stop(Process p)
    {
        Kill(p);
        lock (_children)
        {
            _children.Remove(p);
        }

        p.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        if (_disposed)
        {
            return;   // the command is over (a signal already in flight): the default action ends the process
        }

        if (Interlocked.Increment(ref _signals) == 1)
        {
            context.Cancel = true;   // unwind ourselves; the measurements watch Token
            Cancel();                // first: whoever sees a child die of the kill below must find Interrupted set
            KillChildren();
        }
        else
        {
            KillChildren();
            Environment.Exit(130);
        }
    }

    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
    {
        if (_disposed)
        {
            return;
        }

        if (Interlocked.Increment(ref _signals) == 1)
        {
            e.Cancel = true;
            Cancel();   // before the kill, as in OnSignal
            KillChildren();
        }
        else
        {
            KillChildren();
        }
    }

    private void OnProcessExit(object? sender, EventArgs e) => KillChildren();

    private void Cancel()
    {
        try
        {
            _cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // disposed between the check and here: the command is over
        }
    }

    private void KillChildren()
    {
        Process[] children;
        lock (_children)
        {
            children = [.. _children];
        }

        foreach (Process p in children)
        {
            Kill(p);
        }
    }

    private static void Kill(Process p)
    {
        try
        {
            if (!p.HasExited)
            {
                p.Kill(entireProcessTree: true);
                p.WaitForExit(2000);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            // already gone
        }
    }

    public void Dispose()
    {
        _disposed = true;
        KillChildren();
        lock (_children)
        {
            foreach (Process p in _children)
            {
                p.Dispose();
            }

            _children.Clear();
        }

        foreach (PosixSignalRegistration r in _registrations)
        {
            r.Dispose();
        }

        if (OperatingSystem.IsWindows())
        {
            Console.CancelKeyPress -= OnCancelKeyPress;
        }

        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        _cts.Dispose();
    }
}
