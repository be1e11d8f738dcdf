using Microsoft.CodeAnalysis;
using VerifyCS = Asyncio.Analyzers.Tests.Verify<Asyncio.Analyzers.UnboundedGatherAnalyzer>;

namespace Asyncio.Analyzers.Tests;

public class UnboundedGatherTests
{
    [Fact]
    public async Task GatherOverSelectOfUnknownSize_IsReported()
    {
        await VerifyCS.AnalyzerAsync("""
            using System.Collections.Generic;
            using System.Linq;
            using Asyncio;

            class C
            {
                static async Coroutine<int> Fetch(string url) { await Aio.Sleep(1); return url.Length; }
                static async Coroutine Touch(string url) => await Aio.Sleep(1);

                async Coroutine F(IEnumerable<string> urls, List<string> list)
                {
                    int[] sizes = await Aio.Gather({|#0:urls.Select(u => Fetch(u))|});
                    sizes = await Aio.Gather({|ASY007:list.Select(u => Fetch(u))|}.ToArray());
                    await Aio.Gather({|ASY007:urls.Select(u => Touch(u))|});
                    var outcomes = await Aio.Gather({|ASY007:urls.Select((u, i) => Fetch(u + i))|}, returnExceptions: true);
                }
            }
            """,
            VerifyCS.Diagnostic("ASY007").WithLocation(0).WithSeverity(DiagnosticSeverity.Info)
                .WithMessage("Aio.Gather runs one task per element of a sequence of unknown size, all at once; bound the concurrency with an AsyncSemaphore acquired in the selector"));
    }

    [Fact]
    public async Task BoundedOrKnownSizeOrOpaqueSelector_IsNotReported()
    {
        await VerifyCS.AnalyzerAsync("""
            using System.Collections.Generic;
            using System.Linq;
            using Asyncio;

            class C
            {
                static async Coroutine<int> Fetch(string url) { await Aio.Sleep(1); return url.Length; }

                async Coroutine F(IEnumerable<string> urls, AsyncSemaphore limit, string a, string b)
                {
                    int[] sizes = await Aio.Gather(urls.Select(async u =>
                    {
                        using (await limit.AcquireAsync())
                        {
                            return await Fetch(u);
                        }
                    }));
                    var sem = new AsyncBoundedSemaphore(10);
                    sizes = await Aio.Gather(urls.Select(u => Limited(sem, u)));
                    sizes = await Aio.Gather(new[] { a, b }.Select(u => Fetch(u)));
                    sizes = await Aio.Gather(Enumerable.Range(0, 3).Select(i => Fetch(a + i)));
                    sizes = await Aio.Gather(urls.Select(Fetch));          // method group: its body is not inspected
                    (int x, int y) = await Aio.Gather(Fetch(a), Fetch(b));
                }

                static async Coroutine<int> Limited(AsyncSemaphore sem, string u)
                {
                    using (await sem.AcquireAsync()) { return await Fetch(u); }
                }
            }
            """);
    }
}
