using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Asyncio.Cli.Infrastructure;

/// <summary>The JSON settings of every document and line this tool writes or reads (camelCase, NaN allowed as a string).</summary>
internal static class Json
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DictionaryKeyPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals | JsonNumberHandling.AllowReadingFromString,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static JsonSerializerOptions Indented { get; } = new(Options) { WriteIndented = true };

    /// <summary>One line of JSON (the probes' protocol with their parent).</summary>
    public static string Line<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T? Parse<T>(string text) => JsonSerializer.Deserialize<T>(text, Options);
}
