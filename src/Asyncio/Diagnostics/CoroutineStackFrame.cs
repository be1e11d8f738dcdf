namespace Asyncio;

/// <summary>
/// One coroutine in a task's await chain (an entry of <see cref="AioTask.GetStack"/> and of
/// <see cref="FutureCallGraph.CallStack"/>): the method, and where it is suspended or running when symbols (a portable
/// PDB next to the assembly, or embedded) are available.
/// </summary>
public sealed class CoroutineStackFrame
{
    internal CoroutineStackFrame(string method, string? file, int line, bool running)
    {
        Method = method;
        File = file;
        Line = line;
        IsRunning = running;
    }

    /// <summary>The coroutine's method, e.g. <c>Program.Worker</c> (a lambda shows as <c>Program.Main.&lt;lambda&gt;</c>).</summary>
    public string Method { get; }

    /// <summary>The source file, or null without symbols.</summary>
    public string? File { get; }

    /// <summary>The line of the await the coroutine is suspended at (or of the code running now); 0 without symbols.</summary>
    public int Line { get; }

    /// <summary>True for the frame whose code is running now (the current task's innermost coroutine).</summary>
    public bool IsRunning { get; }

    /// <summary>"Program.Worker in /src/Program.cs:line 12", or the method alone without symbols.</summary>
    public override string ToString() => File is null ? Method : $"{Method} in {File}:line {Line}";

    internal static CoroutineStackFrame Suspended(Type stateMachineType, int state)
    {
        SourceSite? site = AwaitSites.Locate(stateMachineType, state);
        return site is { } s
            ? new CoroutineStackFrame(s.Method, s.File, s.File is null ? 0 : s.Line, running: false)
            : new CoroutineStackFrame(CoroutineNames.Of(stateMachineType), null, 0, running: false);
    }
}
