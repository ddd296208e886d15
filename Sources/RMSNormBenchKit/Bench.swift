import RMSNorm
