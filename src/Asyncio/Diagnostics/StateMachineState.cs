using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;

namespace Asyncio;

/// <summary>
/// Reads the compiler's <c>&lt;&gt;1__state</c> field of an async state machine without boxing it: the number of the
/// await the method is suspended at (0, 1, ...), -1 while running or before its first step, -2 once finished.
/// Diagnostics only (debug mode, the stall watchdog, stacks); <see cref="Unknown"/> for types that have no such field.
/// </summary>
internal static class StateMachineState<TStateMachine>
    where TStateMachine : IAsyncStateMachine
{
    public const int Unknown = int.MinValue;

    public delegate int Reader(ref TStateMachine stateMachine);

    /// <summary>Compiled once per state machine type, on first use.</summary>
    public static readonly Reader Read = Build();

    private static Reader Build()
    {
        Type type = typeof(TStateMachine);
        FieldInfo? field = type.GetField("<>1__state", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic);
        if (field is null || field.FieldType != typeof(int))
        {
            return static (ref TStateMachine _) => Unknown;
        }

        try
        {
            var method = new DynamicMethod(
                "ReadState_" + type.Name, typeof(int), [type.MakeByRefType()], typeof(StateMachineState<TStateMachine>).Module, skipVisibility: true);
            ILGenerator il = method.GetILGenerator();
            il.Emit(OpCodes.Ldarg_0);
            if (!type.IsValueType)
            {
                il.Emit(OpCodes.Ldind_Ref);   // a class state machine (Debug builds): the reference, then its field
            }

            il.Emit(OpCodes.Ldfld, field);
            il.Emit(OpCodes.Ret);
            return method.CreateDelegate<Reader>();
        }
        catch (Exception e) when (e is PlatformNotSupportedException or NotSupportedException or InvalidOperationException)
        {
            // No dynamic code (NativeAOT): reflection is slower but still right.
            return (ref TStateMachine sm) => field.GetValue(sm) is int s ? s : Unknown;
        }
    }
}
