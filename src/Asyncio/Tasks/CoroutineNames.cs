using System.Reflection;

namespace Asyncio;

/// <summary>
/// Turns the compiler's names into the names users wrote: "&lt;Main&gt;d__0" is the method Main,
/// "&lt;&lt;Run&gt;g__Greet|0_0&gt;d" the local function Greet, "&lt;&lt;Main&gt;b__0_0&gt;d" a lambda inside Main
/// (shown "Main.&lt;lambda&gt;"), "&lt;Main&gt;$" the top-level statements (shown "Main"); owners lose closure classes
/// ("&lt;&gt;c__DisplayClass0_0") and generic arity ("AsyncQueue`1" is AsyncQueue).
/// </summary>
internal static class CoroutineNames
{
    /// <summary>"Program.Worker" for the state machine of Program.Worker.</summary>
    public static string Of(Type stateMachine)
    {
        string name = stateMachine.Name;
        int end = name.LastIndexOf(">d", StringComparison.Ordinal);
        string kickoff = name.StartsWith('<') && end > 1 ? name[1..end] : name;   // "<X>d__3" -> X
        return Qualify(stateMachine.DeclaringType, Method(kickoff));
    }

    /// <summary>"Program.Tick", "Program.Main.&lt;lambda&gt;", "Program.Local" for a plain method.</summary>
    public static string OfMethod(MethodBase method) => Qualify(method.DeclaringType, Method(method.Name));

    /// <summary>A compiler method name as the user wrote it.</summary>
    private static string Method(string name)
    {
        int local = name.IndexOf(">g__", StringComparison.Ordinal);
        if (local >= 0)
        {
            int bar = name.IndexOf('|', local);
            return bar > local ? name[(local + 4)..bar] : name[(local + 4)..];
        }

        int lambda = name.IndexOf(">b__", StringComparison.Ordinal);
        if (lambda >= 0 && name.StartsWith('<'))
        {
            string outer = Method(name[1..lambda]);
            return outer.Length == 0 ? "<lambda>" : outer + ".<lambda>";
        }

        return name == "<Main>$" ? "Main" : name;
    }

    private static string Qualify(Type? owner, string method)
    {
        while (owner is not null && owner.Name.StartsWith('<'))
        {
            owner = owner.DeclaringType;   // closure classes such as "<>c__DisplayClass0_0"
        }

        return owner is null ? method : WithoutArity(owner.Name) + "." + method;
    }

    private static string WithoutArity(string typeName)
    {
        int tick = typeName.IndexOf('`', StringComparison.Ordinal);
        return tick < 0 ? typeName : typeName[..tick];
    }
}
