import RMSNormBenchKit

RMSNormBench.main()
