using VerifyCS = Asyncio.Analyzers.Tests.Verify<Asyncio.Analyzers.AsyncVoidAnalyzer>;

namespace Asyncio.Analyzers.Tests;

public class AsyncVoidTests
{
    [Fact]
    public async Task AsyncVoidMethodLocalFunctionAndLambda_AreReported()
    {
        await VerifyCS.AnalyzerAsync("""
            using System;
            using System.Threading.Tasks;

            class C
            {
                async void {|#0:Fire|}() => await Task.Yield();

                void M()
                {
                    async void {|ASY005:Local|}(int x) => await Task.Yield();
                    Action a = {|#1:async|} () => await Task.Yield();
                    Action<int> b = {|ASY005:async|} x => await Task.Yield();
                    Local(1);
                }
            }
            """,
            VerifyCS.Diagnostic("ASY005").WithLocation(0)
                .WithMessage("'Fire' is async void: no caller can await it, cancel it or see its exception; return Coroutine or Task"),
            VerifyCS.Diagnostic("ASY005").WithLocation(1)
                .WithMessage("This lambda is async void: no caller can await it, cancel it or see its exception; return Coroutine or Task"));
    }

    [Fact]
    public async Task EventHandlersOverridesAndAwaitableReturns_AreNotReported()
    {
        await VerifyCS.AnalyzerAsync("""
            using System;
            using System.Threading.Tasks;
            using Asyncio;

            class Args : EventArgs { }

            abstract class Base
            {
                public abstract void Run();
            }

            interface IStep
            {
                void Step();
            }

            class C : Base, IStep
            {
                public event EventHandler<Args>? Changed;

                async void OnClick(object sender, EventArgs e) => await Task.Yield();
                async void OnChanged(object? sender, Args e) => await Task.Yield();
                public override async void Run() => await Task.Yield();
                public async void Step() => await Task.Yield();
                async Task T() => await Task.Yield();
                async Coroutine Co() => await Aio.Sleep(0);
                void Plain() { }

                void Subscribe()
                {
                    Changed += async (s, e) => await Task.Yield();
                    Func<Task> f = async () => await Task.Yield();
                }
            }
            """);
    }
}
