package x86

// Latency is the static cost of an instruction in cycles, STOKE's "latency"
// performance model: a program's cost is the sum of the latencies of its
// instructions (Schkufza, Sharma, Aiken, "Stochastic Superoptimization",
// ASPLOS 2013, §4.2 — it ignores instruction-level parallelism on purpose,
// being cheap and a good enough proxy for loop-free straight-line code).
//
// The numbers follow Agner Fog, "Instruction tables: lists of instruction
// latencies, throughputs and micro-operation breakdowns for Intel, AMD and
// VIA CPUs" (www.agner.org/optimize/instruction_tables.pdf), AMD Zen 3
// section — the core family of the machine the timing harness runs on —
// rounded to whole cycles, taking the longest output latency:
//
//	nop                                   0
//	mov/movzx r,r; mov r,imm; xchg        1  (move elimination is not assumed)
//	add sub adc sbb and or xor cmp test   1
//	not neg inc dec; setcc; cmovcc        1
//	shl shr sar rol ror by imm or by cl   1
//	lea base+disp or base+index           1
//	lea base+index*scale+disp (complex)   2
//	popcnt lzcnt tzcnt                    1
//	imul r,r; imul r,r,imm                3
//	mul/imul r (rdx:rax result)           4
//	bsf                                   3
//	bsr                                   4
func Latency(in *Inst) int {
	switch in.Op {
	case Nop:
		return 0
	case ImulRR, ImulRRI:
		return 3
	case MulR, ImulR:
		return 4
	case BsfRR:
		return 3
	case BsrRR:
		return 4
	case LeaRM:
		m := in.Mem
		if m.Index != NoReg && (m.Disp != 0 || m.Scale > 1) {
			return 2
		}
		return 1
	}
	return 1
}

// Latency is the sum of the latencies of p's instructions.
func (p Program) Latency() int {
	t := 0
	for i := range p {
		t += Latency(&p[i])
	}
	return t
}
