using System;
using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Core.Analysis;
using BlueGreen.Core.Deployments;
using BlueGreen.Core.Trains;

namespace BlueGreen.Tests.Trains;

/// <summary>A release train's definition, plan, record and coordination, without AWS (an in-memory store and a driver that
/// records what it was asked to do).</summary>
public sealed class TrainTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeSeconds(1764646000);

    private static string Golden(string name, [CallerFilePath] string here = "") =>
        File.ReadAllText(Path.Combine(Path.GetDirectoryName(here)!, "Golden", name));

    private static Hashtable Ecs(string service, string region, string? shift = null) =>
        new() { ["Cluster"] = "sandbox", ["Service"] = service, ["TaskDefinition"] = service + ":2", ["Region"] = region, ["TrafficShift"] = shift ?? "AllAtOnce" };

    private static Hashtable Lambda(string function, string region, string version = "2") =>
        new() { ["FunctionName"] = function, ["Alias"] = "live", ["Version"] = version, ["Region"] = region, ["Controller"] = "Module" };

    private static TrainDefinition ThreeWaves() => TrainDefinition.FromDictionary(new Hashtable
    {
        ["Name"] = "spring",
        ["ThrottleLimit"] = 3,
        ["Waves"] = new object[]
        {
            new Hashtable { ["Name"] = "canary", ["Targets"] = new object[] { Lambda("payments", "us-east-1") } },
            new Hashtable
            {
                ["Name"] = "east", ["ThrottleLimit"] = 2, ["Alarm"] = "east-errors",
                ["Targets"] = new object[] { Ecs("web", "us-east-1", "Linear10PercentEvery1Minutes"), Ecs("api", "us-east-1"), Lambda("orders", "us-east-1") },
            },
            new Hashtable { ["Name"] = "west", ["Targets"] = new object[] { Ecs("web", "us-west-2", "Canary10Percent5Minutes"), Lambda("payments", "us-west-2") } },
        },
    });

    [Fact]
    public void Definition_IsReadInWaveOrder_WithEachTargetsRegionAndGreen()
    {
        var train = ThreeWaves();
        Assert.Equal(new[] { "canary", "east", "west" }, train.Waves.Select(w => w.Name));
        Assert.Equal(6, train.Targets.Count());
        var web = train.Waves[1].Targets[0];
        Assert.Equal("ecs:sandbox/web@us-east-1", web.Key);
        Assert.Equal("web:2", web.Version);
        Assert.Equal(new[] { "east-errors" }, train.Waves[1].Alarms);
        Assert.Equal("train-x ecs:sandbox/web@us-east-1", web.ToRequest("train-x").Description);
        Assert.Equal(Core.Releases.ReleaseController.Module, train.Waves[0].Targets[0].Controller);
    }

    [Theory]
    [InlineData("Waves[0].Targets[0].Colour", "Colour")]
    [InlineData("Waves[0].Targets[0].Version", "Version-missing")]
    [InlineData("Waves[0].Targets[0].TrafficShift", "TrafficShift")]
    [InlineData("Waves[0].ThrottleLimit", "ThrottleLimit")]
    [InlineData("Targets", "Twice")]
    public void Definition_RefusesBadInput_NamingTheKey(string key, string fault)
    {
        var target = Lambda("payments", "us-east-1");
        var wave = new Hashtable { ["Targets"] = new object[] { target } };
        switch (fault)
        {
            case "Colour": target["Colour"] = "green"; break;
            case "Version-missing": target.Remove("Version"); break;
            case "TrafficShift": target["TrafficShift"] = "Sideways"; break;
            case "ThrottleLimit": wave["ThrottleLimit"] = 0; break;
            case "Twice": wave["Targets"] = new object[] { target, target.Clone() }; break;
        }

        var refused = Assert.Throws<TrainDefinitionException>(() => TrainDefinition.FromDictionary(new Hashtable { ["Waves"] = new object[] { wave } }));
        Assert.Equal(key, refused.Key);
        Assert.Equal("InvalidTrainDefinition", refused.ErrorId);
        Assert.False(string.IsNullOrEmpty(refused.RecommendedAction));
    }

    [Fact]
    public void Plan_GivesEachWaveItsLimit_AndATimelineOfBatches()
    {
        var plan = TrainPlan.Create(ThreeWaves());
        Assert.Equal(new[] { 3, 2, 3 }, plan.Waves.Select(w => w.ThrottleLimit));

        // Wave 2: web (9 minutes) and api together, then orders alone: 9 + 0; wave 3: the canary's 5 minutes.
        Assert.Equal(new[] { 0, 0, 9 }, plan.Waves.Select(w => w.StartMinute));
        Assert.Equal(new[] { 0, 9, 5 }, plan.Waves.Select(w => w.Minutes));
        Assert.Equal(14, plan.Minutes);
        Assert.Equal(new[] { 1, 2, 1 }, plan.Waves.Select(w => w.Batches));

        var capped = TrainPlan.Create(ThreeWaves(), throttleLimit: 1);
        Assert.All(capped.Waves, w => Assert.Equal(1, w.ThrottleLimit));
        Assert.Equal(14, capped.Minutes);

        var text = plan.Describe("train-20251202-030640-abcdef");
        Assert.Contains("Release train 'spring' (train-20251202-030640-abcdef): 6 targets in 3 waves, at least 14 minutes of traffic shifting.", text, StringComparison.Ordinal);
        Assert.Contains("Wave 2 'east': 3 targets, 2 at once; starts at minute 0 when the wave before passed, shifts for 9 minutes.", text, StringComparison.Ordinal);
        Assert.Contains("Gate: every target succeeded, and alarms east-errors are not in ALARM.", text, StringComparison.Ordinal);
    }

    private static TrainRecord GoldenRecord()
    {
        var record = new TrainRecord("train-20251202-030640-abcdef", ThreeWaves(), T0) { State = TrainState.Stopped, CurrentWave = 1, Updated = T0.AddSeconds(95), Failure = "the gate of wave 2 failed" };
        record.Waves[0][0].State = TrainTargetState.Succeeded;
        record.Waves[0][0].DeploymentId = "lambda:payments:live:k3f9x2qa";
        record.Waves[0][0].Engine = DeploymentEngine.LambdaDirect;
        record.Waves[1][0].State = TrainTargetState.Failed;
        record.Waves[1][0].DeploymentId = "d-ABCDEF123";
        record.Waves[1][0].Engine = DeploymentEngine.CodeDeployEcs;
        record.Waves[1][0].Note = "d-ABCDEF123 ended Failed";
        record.Waves[1][1].State = TrainTargetState.Starting;
        return record;
    }

    [Fact]
    public void Record_IsWrittenAsTheGoldenFileSays_AndReadBackTheSame()
    {
        var record = GoldenRecord();
        Assert.Equal(Golden("train-record-stopped.json").Replace("\r\n", "\n").TrimEnd(), TrainRecordCodec.Encode(record));

        Assert.True(TrainRecordCodec.TryDecode(Golden("train-record-stopped.json"), out var read, out var problem), problem);
        Assert.Equal(TrainRecordCodec.Encode(record), TrainRecordCodec.Encode(read!));
        Assert.Equal(TrainState.Stopped, read!.State);
        Assert.Equal("d-ABCDEF123", read.Waves[1][0].DeploymentId);
        Assert.Equal(DeploymentEngine.CodeDeployEcs, read.Waves[1][0].Engine);
        Assert.True(read.Waves[1][1].Moved);
        Assert.False(read.Waves[2][0].Moved);
    }

    [Fact]
    public void Record_OfAnotherFormat_IsRefusedWithAReason_AndTextThatIsNoRecordIsNotOne()
    {
        var later = Golden("train-record-stopped.json").Replace("bluegreen-train/1", "bluegreen-train/2");
        Assert.False(TrainRecordCodec.TryDecode(later, out _, out var problem));
        Assert.Contains("bluegreen-train/2", problem, StringComparison.Ordinal);
        Assert.False(TrainRecordCodec.TryDecode("{\"widgets\":[]}", out _, out problem));
        Assert.Null(problem);
        Assert.False(TrainRecordCodec.TryDecode(Golden("train-record-stopped.json").Replace("\"Stopped\"", "\"Sideways\""), out _, out problem));
        Assert.Contains("Sideways", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Dashboard_CarriesTheRecord_BesideAWidgetPerTarget()
    {
        var record = GoldenRecord();
        var body = TrainDashboard.Build(record, "eu-west-1");
        var widgets = System.Text.Json.Nodes.JsonNode.Parse(body)!["widgets"]!.AsArray();
        Assert.Equal(1 + 6, widgets.Count);
        Assert.Equal("us-west-2", widgets[6]!["properties"]!["region"]!.GetValue<string>());
        Assert.Contains("| 2 east | service 'web' in cluster 'sandbox' in us-east-1 | Failed | d-ABCDEF123 |", widgets[0]!["properties"]!["markdown"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(TrainRecordCodec.Encode(record), TrainRecordCodec.Encode(TrainDashboard.Read(body, record.Id)));
        // Edited by hand in the console: the fences around the record are gone.
        var root = System.Text.Json.Nodes.JsonNode.Parse(body)!;
        var text = root["widgets"]![0]!["properties"]!;
        text["markdown"] = text["markdown"]!.GetValue<string>().Replace("```", "'''");
        var edited = root.ToJsonString();
        Assert.Equal("TrainRecordUnreadable", Assert.Throws<Core.Releases.ReleaseException>(() => TrainDashboard.Read(edited, record.Id)).ErrorId);
    }

    [Theory]
    [InlineData("train-20251202-030640-abcdef", true)]
    [InlineData("d-ABCDEF123", false)]
    [InlineData("train-", false)]
    [InlineData("train-ABC", false)]
    [InlineData("lambda:payments:live:k3f9x2qa", false)]
    public void TrainIds_AreToldFromReleaseIdsByTheirForm(string id, bool isTrain) => Assert.Equal(isTrain, TrainRecord.IsTrainId(id));

    [Fact]
    public async Task Coordinator_RunsWaveAfterWave_AtMostTheLimitAtOnce()
    {
        var store = new MemoryStore();
        var driver = new FakeDriver();
        var record = new TrainRecord("train-20251202-030640-abcdef", ThreeWaves(), T0);
        using var coordinator = new TrainCoordinator(store, driver, record);
        await coordinator.RunAsync(CancellationToken.None);

        Assert.Equal(TrainState.Succeeded, record.State);
        Assert.All(record.Targets, t => Assert.Equal(TrainTargetState.Succeeded, t.State));
        Assert.Equal(6, driver.Started.Count);
        Assert.Equal("payments", Key(driver.Started.First()));
        Assert.Equal(new[] { "web", "payments" }, driver.Started.Skip(4).Select(Key).OrderByDescending(k => k));
        Assert.Equal(2, driver.MostAtOnce["east"]);
        Assert.Equal(new[] { "east" }, driver.AlarmChecks);
        Assert.True(store.Writes > 12, "every intent and every change is written");
        Assert.Equal(TrainState.Succeeded, (await store.LoadAsync(record.Id, CancellationToken.None))!.State);
    }

    [Fact]
    public async Task Coordinator_StopsOnAFailedTargetOfWave2_AndUndoesWhatMoved_LastWaveFirst()
    {
        var store = new MemoryStore();
        var driver = new FakeDriver { Failing = "orders" };
        var record = new TrainRecord("train-20251202-030640-abcdef", ThreeWaves(), T0);
        using var coordinator = new TrainCoordinator(store, driver, record);
        await coordinator.RunAsync(CancellationToken.None);

        Assert.Equal(TrainState.Stopped, record.State);
        Assert.Contains("alias 'live' of function 'orders' in us-east-1 in wave 2 did not succeed", record.Failure, StringComparison.Ordinal);
        Assert.All(record.Waves[2], t => Assert.Equal(TrainTargetState.Pending, t.State));
        Assert.Empty(driver.AlarmChecks);

        await coordinator.UndoAsync(CancellationToken.None);
        Assert.Equal(TrainState.Undone, record.State);
        Assert.Equal(4, driver.Undone.Count);
        Assert.Equal("payments", Key(driver.Undone.Last()));
        Assert.DoesNotContain(driver.Undone, u => u.Contains("us-west-2", StringComparison.Ordinal));
        Assert.All(record.Waves[1], t => Assert.Equal(TrainTargetState.Undone, t.State));
        Assert.All(record.Waves[2], t => Assert.Equal(TrainTargetState.Pending, t.State));
    }

    [Fact]
    public async Task Coordinator_StopsWhenAWaveAlarmIsInAlarm()
    {
        var driver = new FakeDriver { AlarmFiring = true };
        var record = new TrainRecord("train-20251202-030640-abcdef", ThreeWaves(), T0);
        using var coordinator = new TrainCoordinator(new MemoryStore(), driver, record);
        await coordinator.RunAsync(CancellationToken.None);
        Assert.Equal(TrainState.Stopped, record.State);
        Assert.Contains("the gate of wave 2 failed: alarm 'east-errors'", record.Failure, StringComparison.Ordinal);
        Assert.Equal(4, driver.Started.Count);
    }

    [Fact]
    public async Task Coordinator_Resumed_StartsNoTargetTwice_AdoptingWhatAwsShowsWasStarted()
    {
        var store = new MemoryStore();
        var driver = new FakeDriver();
        var record = GoldenRecord();
        record.State = TrainState.Running;
        record.Failure = null;
        record.Waves[1][0].State = TrainTargetState.Started;
        driver.AlreadyStarted.Add(record.Waves[1][1].Key);
        var text = TrainRecordCodec.Encode(record);
        Assert.True(TrainRecordCodec.TryDecode(text, out var resumed, out _));

        using var coordinator = new TrainCoordinator(store, driver, resumed!);
        await coordinator.RunAsync(CancellationToken.None);

        Assert.Equal(TrainState.Succeeded, resumed!.State);
        Assert.DoesNotContain(driver.Started, s => Key(s) == "payments" && s.Contains("us-east-1", StringComparison.Ordinal));
        Assert.DoesNotContain(driver.Started, s => s.Contains("ecs:sandbox/web@us-east-1", StringComparison.Ordinal));
        Assert.DoesNotContain(driver.Started, s => s.Contains("ecs:sandbox/api@us-east-1", StringComparison.Ordinal));
        Assert.Equal(3, driver.Started.Count);
        Assert.Equal("found in AWS on resume", resumed.Waves[1][1].Note);
        Assert.Equal(driver.Started.Count, driver.Started.Distinct().Count());
    }

    [Fact]
    public async Task Coordinator_ChangesQueuedBehindAWrite_ShareTheNextOne_AndEachIntentIsWrittenBeforeItsStart()
    {
        var targets = Enumerable.Range(1, 20).Select(i => (object)Lambda("fn" + i, "us-east-1")).ToArray();
        var definition = TrainDefinition.FromDictionary(new Hashtable { ["Name"] = "wide", ["ThrottleLimit"] = 20, ["Waves"] = new object[] { new Hashtable { ["Targets"] = targets } } });
        var store = new SlowStore(TimeSpan.FromMilliseconds(30));
        var unwritten = new ConcurrentQueue<string>();
        var driver = new FakeDriver
        {
            OnStart = target =>
            {
                // The record written last, not the one in memory, must already say this target is starting.
                var written = store.LastWritten;
                var state = written?.Targets.FirstOrDefault(t => t.Target.Key == target.Key)?.State;
                if (state != TrainTargetState.Starting)
                {
                    unwritten.Enqueue($"{target.Key}: {state?.ToString() ?? "no record"}");
                }
            },
        };
        var record = new TrainRecord("train-20251202-030640-wide00", definition, T0);
        using var coordinator = new TrainCoordinator(store, driver, record);
        await coordinator.RunAsync(CancellationToken.None);

        Assert.Equal(TrainState.Succeeded, record.State);
        Assert.Empty(unwritten);
        Assert.Equal(TrainState.Succeeded, store.LastWritten!.State);
        // One write per change would be 62 (three per target, the train's start and end); queued changes share writes.
        Assert.InRange(store.Writes, 3, 30);
    }

    private static string Key(string started) => started.Split(':', '/')[started.StartsWith("ecs:", StringComparison.Ordinal) ? 2 : 1].Split('@')[0];

    private sealed class MemoryStore : ITrainStore
    {
        private readonly ConcurrentDictionary<string, string> _records = new();

        public int Writes;

        public Task SaveAsync(TrainRecord record, CancellationToken cancellationToken)
        {
            _records[record.Id] = TrainRecordCodec.Encode(record);
            Interlocked.Increment(ref Writes);
            return Task.CompletedTask;
        }

        public Task<TrainRecord?> LoadAsync(string trainId, CancellationToken cancellationToken) =>
            Task.FromResult(_records.TryGetValue(trainId, out var text) && TrainRecordCodec.TryDecode(text, out var record, out _) ? record : null);

        public Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<string>>(_records.Keys.ToList());
    }

    /// <summary>A store whose writes take a while, as a PutDashboard does; what it last finished writing can be read back.</summary>
    private sealed class SlowStore(TimeSpan delay) : ITrainStore
    {
        private string? _last;

        public int Writes;

        public TrainRecord? LastWritten => Volatile.Read(ref _last) is { } text && TrainRecordCodec.TryDecode(text, out var record, out _) ? record : null;

        public async Task SaveAsync(TrainRecord record, CancellationToken cancellationToken)
        {
            var text = TrainRecordCodec.Encode(record);
            await Task.Delay(delay, cancellationToken);
            Volatile.Write(ref _last, text);
            Interlocked.Increment(ref Writes);
        }

        public Task<TrainRecord?> LoadAsync(string trainId, CancellationToken cancellationToken) => Task.FromResult(LastWritten);

        public Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<string>>(Array.Empty<string>());
    }

    private sealed class FakeDriver : ITrainDriver
    {
        public Action<TrainTarget>? OnStart { get; set; }

        private readonly ConcurrentDictionary<string, int> _running = new();

        public string? Failing { get; set; }

        public bool AlarmFiring { get; set; }

        public HashSet<string> AlreadyStarted { get; } = new();

        public ConcurrentQueue<string> StartedQueue { get; } = new();

        public List<string> Started => StartedQueue.ToList();

        public ConcurrentQueue<string> UndoneQueue { get; } = new();

        public List<string> Undone => UndoneQueue.ToList();

        public List<string> AlarmChecks { get; } = new();

        public ConcurrentDictionary<string, int> MostAtOnce { get; } = new();

        public Task<BlueGreenDeployment> StartAsync(TrainTarget target, string trainId, CancellationToken cancellationToken)
        {
            OnStart?.Invoke(target);
            StartedQueue.Enqueue(target.Key);
            return Task.FromResult(new BlueGreenDeployment("d-" + target.Key) { Status = DeploymentStatus.InProgress, Engine = DeploymentEngine.CodeDeployEcs });
        }

        public Task<BlueGreenDeployment?> FindStartedAsync(TrainTarget target, string trainId, CancellationToken cancellationToken) =>
            Task.FromResult(AlreadyStarted.Contains(target.Key) ? new BlueGreenDeployment("d-found-" + target.Key) : null);

        public async Task<BlueGreenDeployment> WaitAsync(TrainTarget target, string deploymentId, CancellationToken cancellationToken)
        {
            var wave = target.Region == "us-west-2" ? "west" : target.Target.Key.StartsWith("ecs:", StringComparison.Ordinal) || target.Target.Key.Contains("orders", StringComparison.Ordinal) ? "east" : "canary";
            var now = _running.AddOrUpdate(wave, 1, (_, n) => n + 1);
            MostAtOnce.AddOrUpdate(wave, now, (_, most) => Math.Max(most, now));
            await Task.Delay(20, cancellationToken);
            _running.AddOrUpdate(wave, 0, (_, n) => n - 1);
            var failed = Failing is not null && target.Target.Key.Contains(Failing, StringComparison.Ordinal);
            return new BlueGreenDeployment(deploymentId) { Status = failed ? DeploymentStatus.Failed : DeploymentStatus.Succeeded, ErrorMessage = failed ? "green failed" : null };
        }

        public Task<BlueGreenDeployment> UndoAsync(TrainTarget target, string deploymentId, CancellationToken cancellationToken)
        {
            UndoneQueue.Enqueue(target.Key);
            return Task.FromResult(new BlueGreenDeployment(deploymentId) { Status = DeploymentStatus.Stopped, RollbackDeploymentId = "d-back" });
        }

        public Task<IReadOnlyList<ReleaseGate>> CheckAlarmsAsync(TrainWave wave, CancellationToken cancellationToken)
        {
            AlarmChecks.Add(wave.Name);
            return Task.FromResult<IReadOnlyList<ReleaseGate>>(wave.Alarms.Select(a => new ReleaseGate(ReleaseGateKind.Alarm, a, AlarmFiring ? AnalysisVerdict.Fail : AnalysisVerdict.Pass, T0,
                $"alarm '{a}' in us-east-1 is {(AlarmFiring ? "ALARM" : "OK")}")).ToList());
        }
    }
}
