using System.Reflection;
using System.Reflection.Emit;

namespace Asyncio;

/// <summary>
/// Reads a compiled MoveNext's IL for the places that store a constant into the state field: Roslyn writes
/// <c>this.&lt;&gt;1__state = num = N</c> (<c>ldarg.0; ldc.i4 N; dup; stloc; stfld &lt;&gt;1__state</c>) right
/// before each await's yield point, so the last store of a state N &gt;= 0 before a yield offset names that await.
/// </summary>
internal static class StateStores
{
    private const string StateFieldName = "<>1__state";

    /// <summary>Every IL opcode by its encoded value (one-byte opcodes at 0x00-0xFF, two-byte ones 0xFE xx at 0x100 + xx).</summary>
    private static readonly OpCode?[] s_opcodes = BuildOpcodeTable();

    /// <summary>
    /// The (IL offset, value) of each constant store of a value &gt;= 0 to the state field, in IL order; empty when the
    /// body cannot be read or decoded.
    /// </summary>
    public static List<(int Offset, int State)> Find(MethodInfo moveNext)
    {
        var stores = new List<(int Offset, int State)>();
        byte[]? il = moveNext.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            return stores;
        }

        Module module = moveNext.Module;
        Type[]? typeArgs = moveNext.DeclaringType is { IsGenericType: true } t ? t.GetGenericArguments() : null;
        var isStateField = new Dictionary<int, bool>();

        // The constant most recently pushed, while only "dup" and "stloc" (which leave a copy of it on the stack)
        // have followed it; null as soon as any other instruction intervenes.
        int? pending = null;
        int pos = 0;
        while (pos < il.Length)
        {
            int start = pos;
            int code = il[pos++];
            if (code == 0xFE)
            {
                if (pos >= il.Length)
                {
                    return [];
                }

                code = 0x100 + il[pos++];
            }

            if (s_opcodes[code] is not OpCode op)
            {
                return [];   // not IL we understand: report nothing rather than something wrong
            }

            int operandSize = OperandSize(op.OperandType, il, pos);
            if (operandSize < 0 || pos + operandSize > il.Length)
            {
                return [];
            }

            int? constant = Constant(op, il, pos);
            if (constant is not null)
            {
                pending = constant;
            }
            else if (op == OpCodes.Stfld && pending is int value)
            {
                int token = BitConverter.ToInt32(il, pos);
                if (!isStateField.TryGetValue(token, out bool isState))
                {
                    isState = IsStateField(module, token, typeArgs);
                    isStateField[token] = isState;
                }

                if (isState && value >= 0)
                {
                    stores.Add((start, value));
                }

                pending = null;
            }
            else if (!IsCopyOrLocalStore(op))
            {
                pending = null;
            }

            pos += operandSize;
        }

        return stores;
    }

    private static bool IsStateField(Module module, int token, Type[]? typeArgs)
    {
        try
        {
            return module.ResolveField(token, typeArgs, null)?.Name == StateFieldName;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static bool IsCopyOrLocalStore(OpCode op) =>
        op == OpCodes.Dup || op == OpCodes.Stloc || op == OpCodes.Stloc_S
        || op == OpCodes.Stloc_0 || op == OpCodes.Stloc_1 || op == OpCodes.Stloc_2 || op == OpCodes.Stloc_3;

    /// <summary>The value an <c>ldc.i4</c> family instruction pushes, or null for any other instruction.</summary>
    private static int? Constant(OpCode op, byte[] il, int operand)
    {
        if (op == OpCodes.Ldc_I4_S)
        {
            return (sbyte)il[operand];
        }

        if (op == OpCodes.Ldc_I4)
        {
            return BitConverter.ToInt32(il, operand);
        }

        // ldc.i4.m1 (0x15) through ldc.i4.8 (0x1E) are consecutive one-byte opcodes.
        short v = op.Value;
        return v >= OpCodes.Ldc_I4_M1.Value && v <= OpCodes.Ldc_I4_8.Value ? v - OpCodes.Ldc_I4_0.Value : null;
    }

    private static int OperandSize(OperandType type, byte[] il, int operand) => type switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => SwitchSize(il, operand),
        _ => 4,   // branch targets, tokens, int32, float32
    };

    /// <summary>A switch's operand: its uint32 count, then that many int32 targets; -1 when it overruns the body.</summary>
    private static int SwitchSize(byte[] il, int operand)
    {
        if (operand + 4 > il.Length)
        {
            return -1;
        }

        uint count = BitConverter.ToUInt32(il, operand);
        return count <= (uint)(il.Length - operand - 4) / 4 ? 4 + (4 * (int)count) : -1;
    }

    private static OpCode?[] BuildOpcodeTable()
    {
        var table = new OpCode?[0x200];
        foreach (FieldInfo f in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            if (f.GetValue(null) is OpCode op)
            {
                int value = (ushort)op.Value;
                int index = op.Size == 1 ? value : 0x100 + (value & 0xFF);
                table[index] = op;
            }
        }

        return table;
    }
}
