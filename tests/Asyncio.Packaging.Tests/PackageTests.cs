using System.Diagnostics;
using System.IO.Compression;
using System.Xml.Linq;
using Xunit.Abstractions;

namespace Asyncio.Packaging.Tests;

/// <summary>
/// The NuGet packages as a user gets them: what is inside each, and a fresh console app that restores Asyncio and
/// Asyncio.Testing from a feed holding only them, builds (with the packed analyzers) and runs.
/// </summary>
/// <remarks>
/// Restore: the app's NuGet.Config adds the temp feed to the machine's own package sources, and the machine's global
/// packages folder as a fallback folder, so dependencies the repository's restore already fetched
/// (Microsoft.Extensions.Logging.Abstractions) come from disk. The registry is still asked about the Asyncio ids (it
/// must know no other version): a CI machine has the same NuGet source as a developer's.
/// </remarks>
public sealed class PackageTests(PackedFeed feed, ITestOutputHelper output) : IClassFixture<PackedFeed>
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(3);

    [Theory]
    [InlineData("Asyncio")]
    [InlineData("Asyncio.Testing")]
    [InlineData("Asyncio.Hosting")]
    public void Package_HoldsTheLibraryItsXmlDocsReadmeAndLicence(string id)
    {
        using ZipArchive nupkg = ZipFile.OpenRead(feed.PackagePath(id));
        var entries = nupkg.Entries.Select(e => e.FullName).ToHashSet();
        Assert.Contains($"lib/net10.0/{id}.dll", entries);
        Assert.Contains($"lib/net10.0/{id}.xml", entries);
        Assert.Contains("README.md", entries);
        Assert.Contains("LICENSE", entries);

        XElement metadata = Nuspec(nupkg, id);
        XNamespace ns = metadata.Name.Namespace;
        Assert.Equal(id, metadata.Element(ns + "id")?.Value);
        Assert.Equal(feed.Version, metadata.Element(ns + "version")?.Value);
        Assert.Equal("MIT", metadata.Element(ns + "license")?.Value);
        Assert.Equal("README.md", metadata.Element(ns + "readme")?.Value);
        Assert.False(string.IsNullOrWhiteSpace(metadata.Element(ns + "description")?.Value));
        Assert.Contains("asyncio", metadata.Element(ns + "tags")?.Value ?? "", StringComparison.Ordinal);

        var dependencies = metadata.Descendants(ns + "dependency").ToDictionary(d => (string)d.Attribute("id")!);
        if (id != "Asyncio")
        {
            XElement core = dependencies["Asyncio"];
            Assert.Equal(feed.Version, (string?)core.Attribute("version"));   // the core of their own build
            Assert.DoesNotContain("Analyzers", (string?)core.Attribute("exclude") ?? "", StringComparison.OrdinalIgnoreCase);   // its analyzers flow
        }

        using ZipArchive snupkg = ZipFile.OpenRead(feed.PackagePath(id, symbols: true));
        Assert.Contains($"lib/net10.0/{id}.pdb", snupkg.Entries.Select(e => e.FullName));
    }

    [Fact]
    public void AsyncioPackage_CarriesTheAnalyzersAndCodeFixes()
    {
        using ZipArchive nupkg = ZipFile.OpenRead(feed.PackagePath("Asyncio"));
        var entries = nupkg.Entries.Select(e => e.FullName).ToHashSet();
        Assert.Contains("analyzers/dotnet/cs/Asyncio.Analyzers.dll", entries);
        Assert.Contains("analyzers/dotnet/cs/Asyncio.Analyzers.CodeFixes.dll", entries);
    }

    /// <summary>
    /// The app references only Asyncio.Testing: Asyncio, with its analyzers, comes as its dependency, from the feed.
    /// </summary>
    [Fact]
    public async Task ConsoleApp_FromTheFeedOnly_BuildsWithTheAnalyzersAndRunsInVirtualTime()
    {
        var watch = Stopwatch.StartNew();
        string app = Path.Combine(feed.Root, "app");
        Directory.CreateDirectory(app);
        WriteConsumer(app);

        var (buildExit, buildOutput) = await DotNetCli.RunAsync(app, StepTimeout,
            "build", "-c", "Debug", "-nodeReuse:false", "-p:UseSharedCompilation=false");
        Assert.True(buildExit == 0, $"the consumer app did not build ({buildExit}):\n{buildOutput}");
        TimeSpan buildTime = watch.Elapsed;

        // The packed analyzer runs in the user's build: Thread.Sleep inside a coroutine is ASY001.
        Assert.Matches(@"Program\.cs\(23,9\): warning ASY001", buildOutput);

        // Restored from the temp feed, not from a cache or a project.
        string assets = await File.ReadAllTextAsync(Path.Combine(app, "obj", "project.assets.json"));
        Assert.Contains($"\"Asyncio/{feed.Version}\"", assets, StringComparison.Ordinal);
        Assert.Contains($"\"Asyncio.Testing/{feed.Version}\"", assets, StringComparison.Ordinal);

        var (runExit, runOutput) = await DotNetCli.RunAsync(app, StepTimeout, Path.Combine(app, "bin", "Debug", "net10.0", "Consumer.dll"));
        Assert.True(runExit == 0, $"the consumer app failed ({runExit}):\n{runOutput}");
        Assert.Equal(
            ["slept 3600 virtual seconds in AioTest.Run", "tick at 1.5", "ping over a MemoryStreamPair"],
            runOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

        // Budget: packing, restoring, building and running together stay well under a minute on a 2-core machine.
        TimeSpan total = feed.PackTime + watch.Elapsed;
        output.WriteLine($"pack {feed.PackTime.TotalSeconds:0.0} s, restore+build {buildTime.TotalSeconds:0.0} s, run {(watch.Elapsed - buildTime).TotalSeconds:0.0} s");
        Assert.True(total < TimeSpan.FromSeconds(120), $"pack {feed.PackTime}, restore+build {buildTime}, total {total}");
    }

    private void WriteConsumer(string app)
    {
        // Stop MSBuild's search for Directory.*.props/targets above the temp folder.
        File.WriteAllText(Path.Combine(feed.Root, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(feed.Root, "Directory.Build.targets"), "<Project />");
        File.WriteAllText(Path.Combine(feed.Root, "Directory.Packages.props"), "<Project />");

        string globalPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } env
            ? env
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string fallback = Directory.Exists(globalPackages)
            ? $"""
                <fallbackPackageFolders>
                  <add key="machine" value="{globalPackages}" />
                </fallbackPackageFolders>
              """
            : "";
        File.WriteAllText(Path.Combine(app, "NuGet.Config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config>
                <add key="globalPackagesFolder" value="{Path.Combine(feed.Root, "packages")}" />
              </config>
              <packageSources>
                <add key="asyncio-under-test" value="{feed.Feed}" />
              </packageSources>
            {fallback}
            </configuration>
            """);

        File.WriteAllText(Path.Combine(app, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Asyncio.Testing" Version="[{feed.Version}]" />
              </ItemGroup>
            </Project>
            """);

        // Line 23 is the Thread.Sleep the analyzer must report.
        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            using Asyncio;
            using Asyncio.Testing;

            AioTest.Run(async () =>
            {
                await Aio.Sleep(3600);
                Console.WriteLine($"slept {AioTest.Now} virtual seconds in AioTest.Run");
            });

            Console.WriteLine(Aio.Run(() => Tick(args.Length), new LoopOptions { Clock = new VirtualClock() }));

            AioTest.Run(async () =>
            {
                var (client, server) = MemoryStreamPair.Create();
                client.Writer.Write("ping over a MemoryStreamPair\n"u8);
                Console.Write(System.Text.Encoding.ASCII.GetString(await server.Reader.ReadLineAsync()));
            });

            static async Coroutine<string> Tick(int argCount)
            {
                if (argCount > 99)
                {
                    Thread.Sleep(1);   // real-time: never runs; it is here for ASY001
                }

                await Aio.Sleep(1.5);
                return $"tick at {Aio.GetRunningLoop().Time()}";
            }
            """);
    }

    private static XElement Nuspec(ZipArchive package, string id)
    {
        ZipArchiveEntry entry = package.GetEntry(id + ".nuspec") ?? throw new InvalidOperationException($"{id}.nuspec is missing");
        using Stream stream = entry.Open();
        XElement root = XElement.Load(stream);
        return root.Element(root.Name.Namespace + "metadata")!;
    }
}
