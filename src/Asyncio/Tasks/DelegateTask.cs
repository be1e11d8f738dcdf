using System.Runtime.CompilerServices;
using static Asyncio.FutureFlags;

namespace Asyncio;

/// <summary>
/// A task that runs a plain .NET <c>async Task</c> function on the loop. Its code resumes on the loop through a
/// synchronization context of its own, so <see cref="Aio.CurrentTask"/> names it after every await.
/// </summary>
/// <remarks>
/// Its awaits belong to .NET's async machinery, so <see cref="AioTask.Cancel"/> cannot interrupt them: the code sees
/// the cancellation through <see cref="AioTask.CancellationToken"/>. Write the function as an <c>async Coroutine</c>
/// for asyncio's cancellation at every await.
/// </remarks>
internal sealed class DelegateTask<T> : AioTask<T>
{
    private Func<Task>? _start;
    private Task? _running;
    private string? _name;   // described on first use: most tasks are never named in a report

    public DelegateTask(Func<Task> start) => _start = start;

    public override string CoroutineName => _name ?? "<function>";

    private string DescribeStart(Func<Task> start) => _name = EventLoop.DescribeDelegate(start).TrimEnd('(', ')');

    internal override bool RunsDotNetCode => true;

    internal override object? DotNetStateMachine() => _running is { } running ? AwaitSites.TryGetStateMachine(running) : null;

    private protected override void RunStep()
    {
        if (_running is null)
        {
            Func<Task> start = _start!;
            if (_name is null && EventLoop.Current?.Debug == true)
            {
                DescribeStart(start);
            }

            _start = null;
            SynchronizationContext? saved = SynchronizationContext.Current;
            SynchronizationContext.SetSynchronizationContext(new TaskSynchronizationContext(_loop!, this));
            try
            {
                _running = start() ?? throw new InvalidOperationException(
                    $"The function {DescribeStart(start)} returned a null Task. A Func<Task> given to CreateTask must return the task it started.");
            }
            catch (Exception e)
            {
                _running = Task.FromException(e);
            }
            finally
            {
                SynchronizationContext.SetSynchronizationContext(saved);
            }
        }

        if (!_running.IsCompleted)
        {
            var awaiter = _running.ConfigureAwait(false).GetAwaiter();
            WaitOnForeign(ref awaiter);
        }
    }

    private protected override void MarkFrameFailed(Exception e) => _running = Task.FromException(e);

    private protected override void AfterStep()
    {
        Task? running = _running;
        if (running is null || !running.IsCompleted)
        {
            return;
        }

        _running = null;
        try
        {
            if (running is Task<T> typed)
            {
                _result = typed.GetAwaiter().GetResult();
            }
            else
            {
                running.GetAwaiter().GetResult();
            }
        }
        catch (Exception e)
        {
            FinishFromCoroutine(false, e);
            return;
        }

        FinishFromCoroutine(true, null);
    }

    internal override string Describe() => $"<AioTask {StateName} name='{Name}' func={CoroutineName}>";
}
