using System.Collections.Concurrent;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Asyncio;

/// <summary>
/// The portable PDB of each loaded assembly, opened once: the file named by the CodeView debug directory entry, the
/// same-named <c>.pdb</c> next to the assembly, or the PDB embedded in it.
/// </summary>
/// <remarks>
/// Invariant: an assembly's entry is computed at most once (the <see cref="Lazy{T}"/>), and a provider, once cached, is
/// never disposed: diagnostics may ask again at any time, and the PDB bytes are read into memory, so no file stays open.
/// </remarks>
internal static class PortablePdbs
{
    private static readonly ConcurrentDictionary<Assembly, Lazy<MetadataReaderProvider?>> s_providers = new();

    /// <summary>The PDB reader provider of <paramref name="assembly"/>, or null when none is found or it cannot be read.</summary>
    public static MetadataReaderProvider? Of(Assembly assembly) =>
        s_providers.GetOrAdd(assembly, a => new Lazy<MetadataReaderProvider?>(() => Open(a))).Value;

    private static MetadataReaderProvider? Open(Assembly assembly)
    {
        try
        {
            if (assembly.IsDynamic || string.IsNullOrEmpty(assembly.Location) || !File.Exists(assembly.Location))
            {
                return null;   // in-memory or single-file assemblies: nothing to find the PDB from
            }

            string location = assembly.Location;
            using var pe = new PEReader(File.OpenRead(location), PEStreamOptions.PrefetchEntireImage);

            // Tries the CodeView path, then that file name next to the assembly, then the embedded PDB; it checks the
            // PDB id against the assembly's, so a stale PDB from another build is rejected.
            return pe.TryOpenAssociatedPortablePdb(location, ReadIntoMemory, out MetadataReaderProvider? provider, out _)
                ? provider
                : null;
        }
        catch (Exception)   // diagnostics never throw: an unreadable or malformed PDB just means "no file"
        {
            return null;
        }
    }

    /// <summary>The file's bytes as a stream, or null when it does not exist (what the PEReader callback expects).</summary>
    private static MemoryStream? ReadIntoMemory(string path) =>
        File.Exists(path) ? new MemoryStream(File.ReadAllBytes(path), writable: false) : null;
}
