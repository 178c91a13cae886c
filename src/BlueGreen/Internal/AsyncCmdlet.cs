using System;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Core.Pipelines;

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

    /// <summary>The user pressed Ctrl+C (or the pipeline was stopped from outside): not a stop from downstream (Select-Object -First).</summary>
    protected bool Interrupted { get; private set; }

    protected sealed override void StopProcessing()
    {
        Interrupted = true;
        _stopping.Cancel();
    }

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
            // A Write* that threw (-ErrorAction Stop, Select-Object -First, Ctrl+C) ends the pump early:
            // the work must stop too, and be waited for, so nothing goes on calling AWS behind the user's back.
            if (!task.IsCompleted)
            {
                _stopping.Cancel();
                try
                {
                    task.Wait();
                }
                catch (AggregateException)
                {
                    // Its failure is moot: the pipeline is already ending with its own error.
                }
            }

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
        if (pending is null && _pipelineThreadId == 0 || Environment.CurrentManagedThreadId == _pipelineThreadId)
        {
            action();
            return;
        }

        // Never write from another thread: PowerShell allows it only on the pipeline thread.
        if (pending is null)
        {
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

    /// <summary>Writes an object and waits until PowerShell has taken it, so the work never runs ahead of a
    /// pipeline that stops at it (Select-Object -First).</summary>
    protected void Emit(object? value)
    {
        OnEmitting(value);
        OnPipelineThreadAndWait(() => WriteObject(value));
    }

    /// <summary>Sees every object before it is written (on the worker thread).</summary>
    protected virtual void OnEmitting(object? value)
    {
    }

    /// <summary>Runs <paramref name="action"/> on the pipeline thread and waits for it; if it throws there
    /// (the pipeline stops), the work is cancelled and this throws OperationCanceledException.</summary>
    protected void OnPipelineThreadAndWait(Action action)
    {
        if (action is null)
        {
            throw new ArgumentNullException(nameof(action));
        }

        if (Environment.CurrentManagedThreadId == _pipelineThreadId || _pending is null)
        {
            OnPipelineThread(action);
            return;
        }

        using var done = new ManualResetEventSlim();
        var failed = false;
        OnPipelineThread(() =>
        {
            try
            {
                action();
            }
            catch
            {
                failed = true;
                throw;
            }
            finally
            {
                done.Set();
            }
        });
        done.Wait(_stopping.Token);
        if (failed)
        {
            // The pipeline is stopping at what was just written: go no further.
            throw new OperationCanceledException(_stopping.Token);
        }
    }

    protected void EmitVerbose(string text) => OnPipelineThread(() => WriteVerbose(text));

    /// <summary>
    /// A verbose line, which -Debug would turn into a question: on a compiled cmdlet, -Debug without -Verbose makes every
    /// verbose line ask whether to continue, and where nobody can answer (a script run with -File) the question fails
    /// with a NullReferenceException. The line goes to the debug stream then, shown with the traces, asking nothing.
    /// </summary>
    protected new void WriteVerbose(string text)
    {
        var bound = MyInvocation.BoundParameters;
        if (bound.TryGetValue("Debug", out var debug) && debug is SwitchParameter { IsPresent: true } && !bound.ContainsKey("Verbose"))
        {
            WriteDebug(text);
        }
        else
        {
            base.WriteVerbose(text);
        }
    }

    private PipelineReporter? _pipeline;

    /// <summary>The pipeline this command runs in (GitHub Actions, Azure DevOps, CodeBuild, or none), to report to.</summary>
    protected PipelineReporter Pipeline => _pipeline ??= PipelineSupport.ReporterFor(this, OnPipelineThread);

    /// <summary>The step must fail: $LASTEXITCODE is 1 from now on (set on the pipeline thread).</summary>
    protected void FailPipelineStep()
    {
        if (Pipeline.Active)
        {
            OnPipelineThread(() => PipelineSupport.SetFailedExitCode(this));
        }
    }

    /// <summary>Writes an error; in a pipeline also as an error annotation, and the step fails (unless the caller silenced it).</summary>
    protected new void WriteError(ErrorRecord errorRecord)
    {
        if (errorRecord is not null && Pipeline.Active && !PipelineSupport.Silenced(this))
        {
            Pipeline.Error(PipelineSupport.Title(this, errorRecord), PipelineSupport.Message(errorRecord));
            PipelineSupport.SetFailedExitCode(this);
        }

        base.WriteError(errorRecord);
    }

    /// <summary>Ends the command with an error; in a pipeline also as an error annotation, and the step fails.</summary>
    protected new void ThrowTerminatingError(ErrorRecord errorRecord)
    {
        if (errorRecord is not null && Pipeline.Active)
        {
            Pipeline.Error(PipelineSupport.Title(this, errorRecord), PipelineSupport.Message(errorRecord));
            PipelineSupport.SetFailedExitCode(this);
        }

        base.ThrowTerminatingError(errorRecord);
    }

    /// <summary>Writes a warning; in a pipeline also as a warning annotation.</summary>
    protected new void WriteWarning(string text)
    {
        Pipeline.Warning(MyInvocation.MyCommand.Name, text);
        base.WriteWarning(text);
    }

    protected void EmitDebug(string text) => OnPipelineThread(() => WriteDebug(text));

    protected void EmitWarning(string text) => OnPipelineThread(() => WriteWarning(text));

    protected void EmitProgress(ProgressRecord record) => OnPipelineThread(() => WriteProgress(record));

    /// <summary>Writes an error and waits until PowerShell has taken it: with -ErrorAction Stop nothing after it runs.</summary>
    protected void EmitError(ErrorRecord record) => OnPipelineThreadAndWait(() => WriteError(record));

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
