using System;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

namespace BlueGreen.Internal;

/// <summary>
/// The base of every cmdlet: async work runs off the pipeline thread, cancelled by Ctrl+C
/// (<see cref="StopProcessing"/>) down to every HTTP call in flight, while every <c>Write*</c> call is
/// carried back to the pipeline thread, the only thread PowerShell lets write.
/// </summary>
public abstract class AsyncCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private BlockingCollection<Action>? _pending;
    private int _pipelineThreadId;
    private bool _disposed;

    /// <summary>Cancelled when the user presses Ctrl+C or the pipeline is stopped.</summary>
    protected CancellationToken StopToken => _stopping.Token;

    protected sealed override void StopProcessing() => _stopping.Cancel();

    /// <summary>Runs <paramref name="work"/> on the thread pool and pumps its output on this thread until it ends.</summary>
    protected void RunAsync(Func<CancellationToken, Task> work)
    {
        if (work is null)
        {
            throw new ArgumentNullException(nameof(work));
        }

        using var pending = new BlockingCollection<Action>();
        _pending = pending;
        _pipelineThreadId = Environment.CurrentManagedThreadId;
        var task = Task.Run(async () =>
        {
            try
            {
                await work(_stopping.Token).ConfigureAwait(false);
            }
            finally
            {
                pending.CompleteAdding();
            }
        });

        try
        {
            foreach (var action in pending.GetConsumingEnumerable())
            {
                action();
            }

            task.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        finally
        {
            _pending = null;
        }
    }

    /// <summary>Runs <paramref name="action"/> on the pipeline thread: now if this is it, else when the pump gets to it.</summary>
    protected void OnPipelineThread(Action action)
    {
        if (action is null)
        {
            throw new ArgumentNullException(nameof(action));
        }

        var pending = _pending;
        if (pending is null || Environment.CurrentManagedThreadId == _pipelineThreadId)
        {
            action();
            return;
        }

        try
        {
            pending.Add(action);
        }
        catch (InvalidOperationException)
        {
            // The pump has finished: nothing can be written any more.
        }
    }

    protected void Emit(object? value) => OnPipelineThread(() => WriteObject(value));

    protected void EmitVerbose(string text) => OnPipelineThread(() => WriteVerbose(text));

    protected void EmitDebug(string text) => OnPipelineThread(() => WriteDebug(text));

    protected void EmitWarning(string text) => OnPipelineThread(() => WriteWarning(text));

    protected void EmitProgress(ProgressRecord record) => OnPipelineThread(() => WriteProgress(record));

    protected void EmitError(ErrorRecord record) => OnPipelineThread(() => WriteError(record));

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (_disposed)
        {
            return;
        }

        if (disposing)
        {
            _stopping.Dispose();
        }

        _disposed = true;
    }
}
