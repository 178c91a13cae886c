# The canary analysis the sample pipelines judge green by, every interval while it has production traffic.
@{
    Metrics  = @{ Name = 'ErrorRate'; Critical = $true }, 'Latency'
    Interval = '00:01:00'
    Lookback = '00:05:00'
}
