using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;

namespace Asyncio;

/// <summary>
/// Where something was created (debug mode: tasks and coroutines; asyncio's <c>_source_traceback</c>): the caller's
/// frames, innermost first, without the library's own frames and the runtime's async plumbing. Formatted once, on demand.
/// </summary>
internal sealed class CreationStack
{
    private const int MaxFrames = 16;

    private static readonly Assembly s_library = typeof(CreationStack).Assembly;

    private readonly StackTrace _trace;
    private string? _text;

    private CreationStack(StackTrace trace) => _trace = trace;

    /// <summary>Captures the current stack with file and line information (costly: debug mode only).</summary>
    public static CreationStack Capture() => new(new StackTrace(1, fNeedFileInfo: true));

    /// <summary>"   at Program.Main() in /src/Program.cs:line 12", one line per user frame, innermost first.</summary>
    public override string ToString() => _text ??= Format();

    private string Format()
    {
        var sb = new StringBuilder();
        int shown = 0;
        foreach (StackFrame frame in _trace.GetFrames())
        {
            MethodBase? method = frame.GetMethod();
            if (method is null || IsPlumbing(method))
            {
                continue;
            }

            if (shown == MaxFrames)
            {
                sb.Append("   ...\n");
                break;
            }

            sb.Append("   at ").Append(Describe(method));
            if (frame.GetFileName() is { } file)
            {
                sb.Append(" in ").Append(file).Append(":line ").Append(frame.GetFileLineNumber());
            }

            sb.Append('\n');
            shown++;
        }

        return shown == 0 ? "   (no user code on the stack)" : sb.ToString(0, sb.Length - 1);
    }

    private static bool IsPlumbing(MethodBase method)
    {
        Type? type = method.DeclaringType;
        if (type is null)
        {
            return true;
        }

        if (type.Assembly == s_library || method.IsDefined(typeof(AsyncStateMachineAttribute), inherit: false))
        {
            return true;   // the library, and async kickoff stubs (their MoveNext frame says the same, with a line)
        }

        string? ns = type.Namespace;
        return ns is not null
            && (ns.StartsWith("System.Runtime.CompilerServices", StringComparison.Ordinal)
                || ns.StartsWith("System.Threading", StringComparison.Ordinal)
                || ns.StartsWith("System.Reflection", StringComparison.Ordinal));
    }

    /// <summary>A state machine's MoveNext shows as the method the user wrote.</summary>
    private static string Describe(MethodBase method)
    {
        Type type = method.DeclaringType!;
        if (method.Name == "MoveNext" && typeof(IAsyncStateMachine).IsAssignableFrom(type))
        {
            return CoroutineNames.Of(type) + "()";
        }

        return CoroutineNames.OfMethod(method) + "()";
    }
}
