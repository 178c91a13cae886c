using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Core.Analysis;
using BlueGreen.Core.Deployments;
using BlueGreen.Core.Releases;

namespace BlueGreen.Tests.Releases;

/// <summary>The analysis gate: the rule from the verdicts so far to what happens, and the loop that applies it to a
/// release read again and again (a scripted engine, a virtual clock).</summary>
public sealed class AnalysisGateTests
{
    private const AnalysisVerdict P = AnalysisVerdict.Pass;
    private const AnalysisVerdict M = AnalysisVerdict.Marginal;
    private const AnalysisVerdict F = AnalysisVerdict.Fail;
    private const AnalysisVerdict I = AnalysisVerdict.Inconclusive;

    [Theory]
    // Count 3; the second inconclusive interval in a row acts, and inconclusive fails.
    [InlineData(new AnalysisVerdict[0], GateAction.Continue, I)]
    [InlineData(new[] { P }, GateAction.Continue, P)]
    [InlineData(new[] { M }, GateAction.Continue, M)]
    [InlineData(new[] { P, P, P }, GateAction.Done, P)]
    [InlineData(new[] { P, M, P }, GateAction.Done, M)]
    [InlineData(new[] { F }, GateAction.Undo, F)]
    [InlineData(new[] { P, P, F }, GateAction.Undo, F)]
    [InlineData(new[] { I }, GateAction.Hold, I)]
    [InlineData(new[] { I, I }, GateAction.Undo, I)]
    [InlineData(new[] { I, P }, GateAction.Continue, P)]
    [InlineData(new[] { I, P, I }, GateAction.Undo, I)]
    [InlineData(new[] { I, F }, GateAction.Undo, F)]
    public void Decide_FollowsTheRules(AnalysisVerdict[] verdicts, GateAction action, AnalysisVerdict overall)
    {
        var decision = AnalysisGate.Decide(verdicts, new AnalysisGateRules { Count = 3, InconclusiveLimit = 2, FailOnInconclusive = true });
        Assert.Equal(action, decision.Action);
        Assert.Equal(overall, decision.Verdict);
    }

    [Fact]
    public void Decide_InconclusiveBeyondTheLimit_DoesWhatTheDefinitionSays()
    {
        Assert.Equal(GateAction.Hold, AnalysisGate.Decide(new[] { P, I, I }, new AnalysisGateRules { Count = 10, InconclusiveLimit = 3 }).Action);
        var letGo = AnalysisGate.Decide(new[] { I, I }, new AnalysisGateRules { Count = 10, InconclusiveLimit = 2, FailOnInconclusive = false });
        Assert.Equal(GateAction.Done, letGo.Action);
        Assert.Equal(I, letGo.Verdict);
        Assert.Contains("OnInconclusive Continue", letGo.Reason, StringComparison.Ordinal);
        Assert.NotNull(letGo.Warning);

        var failed = AnalysisGate.Decide(new[] { I, I }, new AnalysisGateRules { Count = 10, InconclusiveLimit = 2, FailOnInconclusive = true });
        Assert.Equal(GateAction.Undo, failed.Action);
        Assert.Contains("treated as a failure", failed.Reason, StringComparison.Ordinal);

        // No more intervals left: the limit does not matter any more.
        Assert.Equal(GateAction.Undo, AnalysisGate.Decide(new[] { P, I }, new AnalysisGateRules { Count = 2, InconclusiveLimit = 5 }).Action);
        // A limit of 1 acts on the first inconclusive interval; Count 0 analyses until the release ends.
        Assert.Equal(GateAction.Undo, AnalysisGate.Decide(new[] { I }, new AnalysisGateRules { Count = 5, InconclusiveLimit = 1 }).Action);
        Assert.Equal(GateAction.Continue, AnalysisGate.Decide(Enumerable.Repeat(P, 500).ToList(), new AnalysisGateRules { Count = 0 }).Action);
    }

    [Fact]
    public async Task RunAsync_AnalysesOnlyWhileGreenHasTraffic_AndUndoesOnFail()
    {
        // Ready (no production traffic) twice, then the canary at 10%.
        var engine = new ScriptedEngine(Look(0, DeploymentStatus.Ready), Look(0, DeploymentStatus.Ready), Look(10, DeploymentStatus.InProgress));
        var clock = new VirtualClock();
        var analysed = new List<double>();
        var verdicts = new Queue<AnalysisVerdict>(new[] { P, F });
        BlueGreenDeployment? undoneFrom = null;
        var run = new AnalysisGateRun(engine, new BlueGreenDeployment("d-1"), new AnalysisGateRules { Count = 5 }, TimeSpan.FromSeconds(30), (d, _) =>
        {
            analysed.Add(d.GreenTrafficPercent);
            return Task.FromResult(new IntervalVerdict(verdicts.Dequeue(), "judged"));
        })
        {
            Clock = clock.Now,
            Delay = clock.Delay,
            Polling = new PollingPolicy { Minimum = TimeSpan.FromSeconds(1), Maximum = TimeSpan.FromSeconds(5) },
            Undo = (d, _) =>
            {
                undoneFrom = d;
                var back = Look(0, DeploymentStatus.Stopped);
                back.RollbackDeploymentId = "d-2";
                return Task.FromResult(back);
            },
        };
        var decisions = new List<GateDecision>();
        run.OnVerdict = (_, _, decision) => decisions.Add(decision);

        var outcome = await AnalysisGate.RunAsync(run, CancellationToken.None);

        Assert.True(outcome.Undone);
        Assert.Equal(new[] { P, F }, outcome.Verdicts);
        Assert.Equal(new[] { 10.0, 10.0 }, analysed);
        Assert.Equal(new[] { GateAction.Continue, GateAction.Undo }, decisions.Select(d => d.Action));
        Assert.NotNull(undoneFrom);
        Assert.Equal("d-2", outcome.Deployment.RollbackDeploymentId);
        Assert.Equal(new[] { "interval 1", "interval 2" }, outcome.Deployment.Gates.Select(g => g.Name));
        Assert.All(outcome.Deployment.Gates, g => Assert.Equal(ReleaseGateKind.Analysis, g.Kind));
        // The first analysis comes a whole interval after green got traffic, the second an interval later.
        Assert.Equal(2, outcome.Gates.Count);
        Assert.True(outcome.Deployment.Gates[1].Time - outcome.Deployment.Gates[0].Time >= TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task RunAsync_WithoutUndo_ReportsTheFailureAndLeavesTheRelease()
    {
        var engine = new ScriptedEngine(Look(20, DeploymentStatus.InProgress));
        var clock = new VirtualClock();
        var run = new AnalysisGateRun(engine, new BlueGreenDeployment("d-1"), new AnalysisGateRules { Count = 3 }, TimeSpan.FromSeconds(10),
            (_, _) => Task.FromResult(new IntervalVerdict(F, "slower")))
        { Clock = clock.Now, Delay = clock.Delay };
        var outcome = await AnalysisGate.RunAsync(run, CancellationToken.None);
        Assert.False(outcome.Undone);
        Assert.Equal(GateAction.Undo, outcome.Decision.Action);
        Assert.Equal(DeploymentStatus.InProgress, outcome.Deployment.Status);
        Assert.Equal(0, engine.Undos);
    }

    [Fact]
    public async Task RunAsync_StopsAnalysingAfterCount_AndFollowsTheReleaseToItsEnd()
    {
        var looks = Enumerable.Range(0, 30).Select(_ => Look(10, DeploymentStatus.InProgress)).Append(Look(100, DeploymentStatus.Succeeded)).ToArray();
        var engine = new ScriptedEngine(looks);
        var clock = new VirtualClock();
        var calls = 0;
        var run = new AnalysisGateRun(engine, new BlueGreenDeployment("d-1"), new AnalysisGateRules { Count = 2 }, TimeSpan.FromSeconds(2),
            (_, _) => { calls++; return Task.FromResult(new IntervalVerdict(P, "fine")); })
        { Clock = clock.Now, Delay = clock.Delay, Polling = new PollingPolicy { Minimum = TimeSpan.FromSeconds(1), Maximum = TimeSpan.FromSeconds(1) } };
        var outcome = await AnalysisGate.RunAsync(run, CancellationToken.None);
        Assert.Equal(2, calls);
        Assert.Equal(DeploymentStatus.Succeeded, outcome.Deployment.Status);
        Assert.Equal(GateAction.Done, outcome.Decision.Action);
        Assert.Equal(P, outcome.Decision.Verdict);
        Assert.False(outcome.Undone);
    }

    [Fact]
    public async Task RunAsync_AReleaseThatEndsBeforeAnyAnalysis_IsInconclusive()
    {
        var engine = new ScriptedEngine(Look(100, DeploymentStatus.Succeeded));
        var run = new AnalysisGateRun(engine, new BlueGreenDeployment("d-1"), new AnalysisGateRules { Count = 2 }, TimeSpan.FromMinutes(5),
            (_, _) => throw new InvalidOperationException("not analysed"));
        var outcome = await AnalysisGate.RunAsync(run, CancellationToken.None);
        Assert.Equal(I, outcome.Decision.Verdict);
        Assert.Empty(outcome.Verdicts);
    }

    private static BlueGreenDeployment Look(double green, DeploymentStatus status) => new("d-1") { GreenTrafficPercent = green, Status = status, EngineStatus = status.ToString() };

    private sealed class VirtualClock
    {
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public DateTimeOffset Now() => _now;

        public Task Delay(TimeSpan span, CancellationToken cancellationToken)
        {
            _now += span > TimeSpan.Zero ? span : TimeSpan.FromMilliseconds(1);
            return Task.CompletedTask;
        }
    }

    /// <summary>An engine whose reads give the scripted looks in turn (the last one again and again).</summary>
    private sealed class ScriptedEngine : IReleaseEngine
    {
        private readonly Queue<BlueGreenDeployment> _looks;
        private BlueGreenDeployment _last;

        public ScriptedEngine(params BlueGreenDeployment[] looks)
        {
            _looks = new Queue<BlueGreenDeployment>(looks);
            _last = looks[0];
        }

        public int Undos { get; private set; }

        public DeploymentEngine Kind => DeploymentEngine.CodeDeployEcs;

        public EngineCapabilities Capabilities => EngineCapabilities.None;

        public Task<BlueGreenDeployment> RefreshAsync(BlueGreenDeployment deployment, CancellationToken cancellationToken)
        {
            var next = _looks.Count > 0 ? _looks.Dequeue() : _last;
            _last = next;
            // A fresh object each look, as engines make.
            return Task.FromResult(new BlueGreenDeployment(next.DeploymentId) { GreenTrafficPercent = next.GreenTrafficPercent, Status = next.Status, EngineStatus = next.EngineStatus });
        }

        public Task<BlueGreenDeployment> GetAsync(string deploymentId, CancellationToken cancellationToken) => RefreshAsync(new BlueGreenDeployment(deploymentId), cancellationToken);

        public Task<UndoPlan> PlanUndoAsync(BlueGreenDeployment deployment, TrafficShiftPolicy? policy, CancellationToken cancellationToken)
        {
            Undos++;
            throw new NotSupportedException();
        }

        public Task<ReleasePlan> PlanAsync(ReleaseRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<BlueGreenDeployment> StartAsync(ReleasePlan plan, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<BlueGreenDeployment>> GetForTargetAsync(ReleaseTarget target, bool all, CodeDeployGroupName? group, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task ContinueAsync(BlueGreenDeployment deployment, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task CompleteAsync(BlueGreenDeployment deployment, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<BlueGreenDeployment> UndoAsync(UndoPlan plan, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
