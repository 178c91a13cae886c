@{
    Metrics  = @{ Name = 'ErrorRate'; Critical = $true }, @{ Name = 'Latency'; AllowedEffect = 2 }
    Lookback = '1.00:00:00'
}
