// Experiments: suite lines parsed and validated against the op table, their
// output shapes, and the inputs generated for them.
#include "model/experiment.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>
#include <string>

#include "model/error.h"
#include "model/ops.h"
#include "test_text.h"

namespace opbench {
namespace {

using test_text::contains;

// parse_experiment must reject `line` with a message naming the line and
// containing `why`.
void expect_rejected(const std::string& line, const std::string& why) {
  SCOPED_TRACE(line);
  try {
    Experiment e = parse_experiment(line);
    ADD_FAILURE() << "accepted as '" << e.line() << "'";
  } catch (const UsageError& err) {
    EXPECT_TRUE(contains(err.what(), "'" + line + "'"));
    EXPECT_TRUE(contains(err.what(), why));
  }
}

Shape output_shape(const std::string& line) {
  Experiment e = parse_experiment(line);
  return e.spec().output_shape(e);
}

std::vector<HostTensor> inputs_of(const std::string& line, uint64_t seed = 1) {
  return make_inputs(parse_experiment(line), seed);
}

// ---- parsing -------------------------------------------------------------

TEST(ParseExperiment, ReadsOpShapesAndAxis) {
  Experiment e = parse_experiment("Argmax dim1=64x1024x128 axis=0");
  EXPECT_EQ(e.op, "Argmax");
  EXPECT_EQ(e.dims, (std::vector<Shape>{{64, 1024, 128}}));
  ASSERT_TRUE(e.axis.has_value());
  EXPECT_EQ(*e.axis, 0);
}

// The op is resolved once, when the line is parsed: later steps read its
// unit from the experiment instead of looking the name up again.
TEST(ParseExperiment, ResolvesTheOpsUnitOnce) {
  Experiment e = parse_experiment("Argmax dim1=64x1024x128 axis=0");
  EXPECT_EQ(&e.spec(), &find_op("Argmax"));
  Experiment copy = e;
  EXPECT_EQ(&copy.spec(), &find_op("Argmax"));
  Experiment made_by_hand;
  made_by_hand.op = "Argmax";
  EXPECT_THROW(made_by_hand.spec(), std::logic_error);
}

TEST(ParseExperiment, ReadsEveryArgumentForm) {
  Experiment bce = parse_experiment("BCE dim1=100000x32 dim2=100000x32");
  EXPECT_EQ(bce.dims, (std::vector<Shape>{{100000, 32}, {100000, 32}}));
  EXPECT_FALSE(bce.axis.has_value());

  Experiment linear = parse_experiment("Linear dim1=100x1024x32 dim2=32x1024 dim3=1024");
  EXPECT_EQ(linear.dims, (std::vector<Shape>{{100, 1024, 32}, {32, 1024}, {1024}}));

  Experiment softmax = parse_experiment("Softmax dim1=1000000x128 axis=-1");
  EXPECT_EQ(softmax.axis, -1);

  Experiment concat = parse_experiment("Concat dim1=1000000x64 dim2=1000000x32 axis=1");
  EXPECT_EQ(concat.dims[1], (Shape{1000000, 32}));
  EXPECT_EQ(concat.axis, 1);
}

TEST(ParseExperiment, ToleratesExtraSpaces) {
  Experiment e = parse_experiment("  Sum   dim1=4x5\taxis=1  ");
  EXPECT_EQ(e.line(), "Sum dim1=4x5 axis=1");
}

TEST(ParseExperiment, NegativeAxisInRangeIsAccepted) {
  EXPECT_EQ(parse_experiment("Sum dim1=4x4 axis=-2").axis, -2);
  EXPECT_EQ(parse_experiment("Sort dim1=4x4x4 axis=-3").axis, -3);
}

TEST(ExperimentName, IsTheSeedsRowLabel) {
  EXPECT_EQ(parse_experiment("Argmax dim1=64x1024x128 axis=0").name(), "Argmax / dim=64x1024x128 axi=0");
  EXPECT_EQ(parse_experiment("Linear dim1=100x1024x32 dim2=32x1024 dim3=1024").name(),
            "Linear / dim=100x1024x32 dim=32x1024 dim=1024");
  EXPECT_EQ(parse_experiment("Softmax dim1=1000x128 axis=-1").name(), "Softmax / dim=1000x128 axi=-1");
  EXPECT_EQ(parse_experiment("SumAll dim1=10000").name(), "SumAll / dim=10000");
}

// The dtype is typed once the line is read, and written back in the line and
// the row label; an unknown one is named.
TEST(ExperimentDtype, IsReadTypedAndWrittenBack) {
  EXPECT_EQ(parse_experiment("ReLU dim1=4x4").dtype, FloatType::float32);
  for (FloatType t : {FloatType::float32, FloatType::float16, FloatType::bfloat16}) {
    EXPECT_EQ(parse_dtype(dtype_name(t)), t);
    Experiment e = parse_experiment("ReLU dim1=4x4 dtype=" + dtype_name(t));
    EXPECT_EQ(e.dtype, t);
    EXPECT_EQ(parse_experiment(e.line()).dtype, t);
  }
  EXPECT_EQ(parse_experiment("ReLU dim1=4x4 dtype=bfloat16").name(), "ReLU / dim=4x4 dty=bfloat16");
  EXPECT_EQ(parse_experiment("ReLU dim1=4x4 dtype=float32").line(), "ReLU dim1=4x4");  // the seed's, implied
  EXPECT_EQ(dtype_bytes(FloatType::float32), 4);
  EXPECT_EQ(dtype_bytes(FloatType::bfloat16), 2);
  for (const char* bad : {"float64", "Float16", "", "float16 "}) {
    try {
      parse_dtype(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const UsageError& e) {
      EXPECT_EQ(std::string(e.what()), "unknown dtype '" + std::string(bad) + "' (known: float32, float16, bfloat16)");
    }
  }
}

TEST(ExperimentLine, RoundTripsThroughParseExperiment) {
  for (const char* line :
       {"Argmax dim1=64x1024x128 axis=0", "BCE dim1=1000000 dim2=1000000", "Softmax dim1=64x10000 axis=-1",
        "Linear dim1=100x1024x32 dim2=32x1024 dim3=1024",
        "ScaledDotProductAttention dim1=2x4x16x64 dim2=2x4x32x64 dim3=2x4x32x64", "SumAll dim1=16x32x32x32"}) {
    Experiment e = parse_experiment(line);
    EXPECT_EQ(e.line(), line);
    Experiment again = parse_experiment(e.line());
    EXPECT_EQ(again.op, e.op);
    EXPECT_EQ(again.dims, e.dims);
    EXPECT_EQ(again.axis, e.axis);
  }
}

// ---- bad lines: the syntax -----------------------------------------------

TEST(ParseExperiment, RejectsAnEmptyLine) {
  EXPECT_THROW(parse_experiment(""), UsageError);
  EXPECT_THROW(parse_experiment("   "), UsageError);
}

TEST(ParseExperiment, RejectsAnUnknownOpListingTheKnownOnes) {
  expect_rejected("Foo dim1=4", "unknown op 'Foo'");
  for (const OpSpec& op : all_ops()) expect_rejected("Foo dim1=4", op.name);
  expect_rejected("argmax dim1=4 axis=0", "'argmax'");  // names are case-sensitive
}

TEST(ParseExperiment, RejectsAnUnknownArgument) {
  expect_rejected("ReLU dim1=4 size=3", "unknown argument 'size'");
  expect_rejected("Sum dim1=4x4 Axis=0", "'Axis'");
}

TEST(ParseExperiment, RejectsAnArgumentWithoutEquals) {
  expect_rejected("ReLU dim1", "'dim1'");
  expect_rejected("Sum dim1=4x4 axis", "'axis'");
}

TEST(ParseExperiment, RejectsAnAxisThatIsNotAnInteger) {
  expect_rejected("Sum dim1=4x4 axis=abc", "'abc'");
  expect_rejected("Sum dim1=4x4 axis=1.5", "'1.5'");
  expect_rejected("Sum dim1=4x4 axis=", "not an integer");
}

TEST(ParseExperiment, RejectsAnAxisGivenTwice) {
  expect_rejected("Sum dim1=4x4 axis=0 axis=1", "axis given twice");
  expect_rejected("Sum dim1=4x4 axis=0 axis=0", "axis given twice");
}

TEST(ParseExperiment, RejectsShapesOutOfOrder) {
  expect_rejected("Concat dim2=4 dim1=4 axis=0", "expected 'dim1=' but found 'dim2='");
  expect_rejected("BCE dim1=4 dim3=4", "expected 'dim2=' but found 'dim3='");
  expect_rejected("BCE dim1=4 dim1=4", "expected 'dim2=' but found 'dim1='");
}

TEST(ParseExperiment, RejectsAMalformedShapeNamingTheLine) {
  expect_rejected("ReLU dim1=4xx4", "'4xx4'");
  expect_rejected("ReLU dim1=0", "'0'");
  expect_rejected("ReLU dim1=", "empty");
}

// ---- bad lines: the op's rules -------------------------------------------

TEST(ParseExperiment, RejectsAnAxisOutOfRange) {
  expect_rejected("Sum dim1=4x4 axis=2", "axis 2 is out of range for dim1=4x4");
  expect_rejected("Sum dim1=4x4 axis=-3", "axis -3 is out of range for dim1=4x4");
  expect_rejected("Argmax dim1=10 axis=1", "axis 1");
}

TEST(ParseExperiment, RejectsAMissingAxis) {
  expect_rejected("Sort dim1=4x4", "Sort needs axis=");
  expect_rejected("Argmax dim1=4x4", "Argmax needs axis=");
}

TEST(ParseExperiment, RejectsAnAxisForAnOpWithout) {
  expect_rejected("ReLU dim1=4 axis=0", "ReLU takes no axis");
  expect_rejected("SumAll dim1=4x4 axis=0", "SumAll takes no axis");
}

TEST(ParseExperiment, RejectsTheWrongNumberOfShapes) {
  expect_rejected("ReLU dim1=4 dim2=4", "ReLU takes 1 shape");
  expect_rejected("MatMul dim1=4x4", "MatMul takes 2 shapes");
  expect_rejected("Linear dim1=4x4 dim2=4x4", "Linear takes 3 shapes");
  expect_rejected("Argmax axis=0", "Argmax takes 1 shape");
  expect_rejected("SumAll", "SumAll takes 1 shape");
}

TEST(ParseExperiment, RejectsMatMulOperandsThatCannotBeMultiplied) {
  expect_rejected("MatMul dim1=2x3 dim2=4x5", "cannot be multiplied");
  expect_rejected("MatMul dim1=2x3x4 dim2=5x4x6", "do not broadcast");
  expect_rejected("MatMul dim1=7x2x3x4 dim2=5x4x6", "do not broadcast");
  expect_rejected("MatMul dim1=3 dim2=3x4", "rank 2 or more");
  expect_rejected("MatMul dim1=2x3 dim2=3", "rank 2 or more");
}

TEST(ParseExperiment, AcceptsMatMulBatchesThatBroadcast) {
  EXPECT_NO_THROW(parse_experiment("MatMul dim1=7x1x2x3 dim2=5x3x4"));
  EXPECT_NO_THROW(parse_experiment("MatMul dim1=1x2x3 dim2=6x3x4"));
}

TEST(ParseExperiment, RejectsConcatOperandsThatDoNotJoin) {
  expect_rejected("Concat dim1=4x5 dim2=4x6 axis=0", "differ outside axis 0");
  expect_rejected("Concat dim1=4x5 dim2=3x5 axis=-1", "differ outside axis -1");
  expect_rejected("Concat dim1=4x5 dim2=4x5x1 axis=0", "differ in rank");
}

TEST(ParseExperiment, RejectsConvolutionsThatDoNotFit) {
  expect_rejected("Conv1d dim1=1x10x3 dim2=8x3x4", "input channels");
  expect_rejected("Conv1d dim1=1x2x3 dim2=8x3x3", "kernel dim2=8x3x3 is larger than input dim1=1x2x3");
  expect_rejected("Conv1d dim1=10x3 dim2=8x3x3", "Conv1d needs dim1 of rank 3");
  expect_rejected("Conv2d dim1=1x10x3 dim2=8x3x3", "Conv2d needs dim1 of rank 4");
  expect_rejected("Conv2d dim1=1x10x10x3 dim2=8x3x3", "Conv2d needs dim2 of rank 4");
  expect_rejected("Conv2d dim1=1x10x2x3 dim2=8x3x3x3", "larger than input");
  expect_rejected("Conv2d dim1=1x10x10x3 dim2=8x3x3x1", "input channels");
}

TEST(ParseExperiment, RejectsLinearShapesThatDoNotFit) {
  expect_rejected("Linear dim1=10x32 dim2=16x8 dim3=8", "does not match");
  expect_rejected("Linear dim1=10x32 dim2=32x8 dim3=4", "output features");
  expect_rejected("Linear dim1=10x32 dim2=32 dim3=32", "needs dim2 of rank 2");
  expect_rejected("Linear dim1=10x32 dim2=32x8 dim3=1x8", "needs dim3 of rank 1");
}

TEST(ParseExperiment, RejectsPreluAlphaWithMoreThanOneValue) {
  expect_rejected("PReLU dim1=4x4 dim2=2", "exactly one value");
  EXPECT_NO_THROW(parse_experiment("PReLU dim1=4x4 dim2=1x1"));
}

TEST(ParseExperiment, RejectsAttentionShapesThatDoNotFit) {
  const std::string op = "ScaledDotProductAttention ";
  expect_rejected(op + "dim1=2x4x16x64 dim2=2x4x32x64 dim3=2x4x16x64", "keys dim2=2x4x32x64 and values dim3=2x4x16x64 differ");
  expect_rejected(op + "dim1=2x4x16x32 dim2=2x4x16x64 dim3=2x4x16x64", "head dimensions");
  expect_rejected(op + "dim1=3x4x16x64 dim2=2x4x16x64 dim3=2x4x16x64", "batch sizes");
  expect_rejected(op + "dim1=2x8x16x64 dim2=2x4x16x64 dim3=2x4x16x64", "head counts");
  expect_rejected(op + "dim1=4x16x64 dim2=2x4x16x64 dim3=2x4x16x64", "rank 4");
}

// mask=causal: the frameworks' fused causal attention, a separate experiment.
TEST(ParseExperiment, AttentionMayAskForTheFusedCausalPath) {
  const std::string op = "ScaledDotProductAttention dim1=2x4x16x64 dim2=2x4x16x64 dim3=2x4x16x64";
  Experiment causal = parse_experiment(op + " mask=causal");
  EXPECT_TRUE(causal.causal_mask);
  EXPECT_EQ(causal.line(), op + " mask=causal");
  EXPECT_EQ(causal.name(), "ScaledDotProductAttention / dim=2x4x16x64 dim=2x4x16x64 dim=2x4x16x64 mas=causal");
  EXPECT_TRUE(parse_experiment(causal.line()).causal_mask);
  // "tensor" is the default, the reference's mask tensor: the same experiment as no mask= at all.
  EXPECT_EQ(parse_experiment(op + " mask=tensor").line(), op);
  EXPECT_FALSE(parse_experiment(op).causal_mask);
}

TEST(ParseExperiment, RejectsAMaskThatCannotBeHonoured) {
  const std::string op = "ScaledDotProductAttention ";
  expect_rejected(op + "dim1=2x4x16x64 dim2=2x4x16x64 dim3=2x4x16x64 mask=sliding", "mask 'sliding'");
  // PyTorch's causal flag is top-left aligned, MLX's bottom-right: only square scores agree.
  expect_rejected(op + "dim1=2x4x16x64 dim2=2x4x32x64 dim3=2x4x32x64 mask=causal", "as many queries as keys");
  expect_rejected("Softmax dim1=4x4 axis=-1 mask=causal", "Softmax takes no mask");
}

TEST(ParseExperiment, RejectsIndexedOpsWithOneRowOrWrongRanks) {
  for (std::string op : {"Gather", "Scatter", "ScatterSum", "ScatterMax"}) {
    expect_rejected(op + " dim1=1x8 dim2=10", "at least 2 rows");
    expect_rejected(op + " dim1=8 dim2=10", "dim1 of rank 2");
    expect_rejected(op + " dim1=8x4 dim2=10x2", "dim2 of rank 1");
    EXPECT_NO_THROW(parse_experiment(op + " dim1=2x8 dim2=10"));
  }
}

TEST(ParseExperiment, RejectsBceShapesThatDiffer) {
  expect_rejected("BCE dim1=10 dim2=11", "same shape");
  expect_rejected("BCE dim1=10x2 dim2=20", "same shape");
}

// ---- output shapes -------------------------------------------------------

TEST(OutputShape, ConvolutionsShrinkBySpatialKernelAndEndInCout) {
  EXPECT_EQ(output_shape("Conv1d dim1=4x100x16 dim2=32x5x16"), (Shape{4, 96, 32}));
  EXPECT_EQ(output_shape("Conv2d dim1=10x28x28x3 dim2=8x3x5x3"), (Shape{10, 26, 24, 8}));
  EXPECT_EQ(output_shape("Conv1d dim1=1x3x2 dim2=6x3x2"), (Shape{1, 1, 6}));
}

TEST(OutputShape, MatMulBroadcastsBatchDimensions) {
  EXPECT_EQ(output_shape("MatMul dim1=2x3 dim2=3x4"), (Shape{2, 4}));
  EXPECT_EQ(output_shape("MatMul dim1=100x16x64 dim2=64x32"), (Shape{100, 16, 32}));
  EXPECT_EQ(output_shape("MatMul dim1=7x1x2x3 dim2=5x3x4"), (Shape{7, 5, 2, 4}));
  EXPECT_EQ(output_shape("MatMul dim1=2x3 dim2=6x3x4"), (Shape{6, 2, 4}));
}

TEST(OutputShape, ConcatAddsAlongTheAxis) {
  EXPECT_EQ(output_shape("Concat dim1=1000x64 dim2=1000x32 axis=1"), (Shape{1000, 96}));
  EXPECT_EQ(output_shape("Concat dim1=3x4 dim2=5x4 axis=-2"), (Shape{8, 4}));
}

TEST(OutputShape, ReductionsDropTheAxis) {
  EXPECT_EQ(output_shape("Argmax dim1=2x3x4 axis=1"), (Shape{2, 4}));
  EXPECT_EQ(output_shape("Argmax dim1=2x3x4 axis=-1"), (Shape{2, 3}));
  EXPECT_EQ(output_shape("Sum dim1=2x3x4 axis=0"), (Shape{3, 4}));
  EXPECT_EQ(output_shape("Argmax dim1=10 axis=0"), (Shape{}));
}

TEST(OutputShape, ScalarForSumAllAndBce) {
  EXPECT_EQ(output_shape("SumAll dim1=16x32x32"), (Shape{}));
  EXPECT_EQ(output_shape("BCE dim1=100x32 dim2=100x32"), (Shape{}));
}

TEST(OutputShape, IndexedOps) {
  EXPECT_EQ(output_shape("Gather dim1=64x256 dim2=100"), (Shape{100, 256}));
  EXPECT_EQ(output_shape("Scatter dim1=64x16 dim2=1000"), (Shape{64, 16}));
}

TEST(OutputShape, LinearAndAttention) {
  EXPECT_EQ(output_shape("Linear dim1=10x64x32 dim2=32x128 dim3=128"), (Shape{10, 64, 128}));
  EXPECT_EQ(output_shape("ScaledDotProductAttention dim1=2x4x16x64 dim2=2x4x32x64 dim3=2x4x32x64"), (Shape{2, 4, 16, 64}));
  EXPECT_EQ(output_shape("Softmax dim1=4x5 axis=0"), (Shape{4, 5}));
}

// ---- inputs --------------------------------------------------------------

TEST(MakeInputs, NamesShapesAndTypesFollowTheOp) {
  std::vector<HostTensor> linear = inputs_of("Linear dim1=10x6x4 dim2=4x3 dim3=3");
  ASSERT_EQ(linear.size(), 3u);
  EXPECT_EQ(linear[0].name, "x");
  EXPECT_EQ(linear[1].name, "w");
  EXPECT_EQ(linear[2].name, "b");
  EXPECT_EQ(linear[1].shape, (Shape{4, 3}));
  for (const HostTensor& t : linear) {
    EXPECT_EQ(t.dtype, DType::Float32);
    EXPECT_EQ(static_cast<int64_t>(t.f32.size()), t.numel());
  }

  std::vector<HostTensor> gather = inputs_of("Gather dim1=8x3 dim2=5");
  ASSERT_EQ(gather.size(), 2u);
  EXPECT_EQ(gather[0].dtype, DType::Float32);
  EXPECT_EQ(gather[0].shape, (Shape{8, 3}));
  EXPECT_EQ(gather[1].dtype, DType::Int64);
  EXPECT_EQ(gather[1].shape, (Shape{5}));
  EXPECT_EQ(gather[1].i64.size(), 5u);
}

TEST(MakeInputs, SameSeedSameValuesOtherSeedOtherValues) {
  const std::string line = "MatMul dim1=16x8 dim2=8x4";
  std::vector<HostTensor> a = inputs_of(line, 7), b = inputs_of(line, 7), c = inputs_of(line, 8);
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].f32, b[i].f32);
    EXPECT_NE(a[i].f32, c[i].f32);
  }
  // Two inputs of one experiment are different draws.
  HostBuffer<float> first(a[0].f32.begin(), a[0].f32.begin() + 32);
  EXPECT_NE(first, a[1].f32);
}

TEST(MakeInputs, DependOnlyOnTheExperimentAndTheSeed) {
  const std::string line = "ReLU dim1=1000";
  std::vector<HostTensor> alone = inputs_of(line);
  inputs_of("Sigmoid dim1=1000");
  inputs_of("Gather dim1=64x256 dim2=1000");
  EXPECT_EQ(inputs_of(line)[0].f32, alone[0].f32);
  // The line is taken in its canonical form, however it was spaced.
  EXPECT_EQ(inputs_of("  ReLU   dim1=1000 ")[0].f32, alone[0].f32);
  // Another experiment of the same shape gets its own numbers.
  EXPECT_NE(inputs_of("Sigmoid dim1=1000")[0].f32, alone[0].f32);
}

// The fused causal path sees the numbers of the masked experiment, so the
// two can be compared cell by cell.
TEST(MakeInputs, CausalAttentionGetsTheNumbersOfTheMaskedLine) {
  const std::string op = "ScaledDotProductAttention dim1=1x2x8x4 dim2=1x2x8x4 dim3=1x2x8x4";
  std::vector<HostTensor> masked = inputs_of(op), causal = inputs_of(op + " mask=causal");
  for (size_t i = 0; i < masked.size(); ++i) EXPECT_EQ(masked[i].f32, causal[i].f32);
}

TEST(MakeInputs, BceProbabilitiesInsideZeroOneAndTargetsZeroOrOne) {
  std::vector<HostTensor> in = inputs_of("BCE dim1=100000 dim2=100000");
  ASSERT_EQ(in.size(), 2u);
  const auto &p = in[0].f32, &t = in[1].f32;
  ASSERT_EQ(p.size(), 100000u);
  for (float v : p) ASSERT_TRUE(v > 0.0f && v < 1.0f) << v;
  size_t ones = 0;
  for (float v : t) {
    ASSERT_TRUE(v == 0.0f || v == 1.0f) << v;
    ones += v == 1.0f;
  }
  EXPECT_GT(ones, 45000u);
  EXPECT_LT(ones, 55000u);
  double mean_p = 0;
  for (float v : p) mean_p += v;
  EXPECT_NEAR(mean_p / p.size(), 0.5, 0.01);
}

TEST(MakeInputs, IndicesAreDrawnFromZeroToNMinusOneExclusive) {
  // N = 2: [0, 1) holds only 0.
  std::vector<HostTensor> two_rows = inputs_of("Gather dim1=2x4 dim2=10000");
  for (int64_t i : two_rows[1].i64) ASSERT_EQ(i, 0);
  // N = 5: 0..3, each of them, never 4.
  std::set<int64_t> seen;
  std::vector<HostTensor> five_rows = inputs_of("Gather dim1=5x3 dim2=20000");
  for (int64_t i : five_rows[1].i64) {
    ASSERT_GE(i, 0);
    ASSERT_LT(i, 4);
    seen.insert(i);
  }
  EXPECT_EQ(seen.size(), 4u);
  std::vector<HostTensor> scatter = inputs_of("ScatterMax dim1=3x4 dim2=1000");
  for (int64_t i : scatter[0].i64) ASSERT_TRUE(i == 0 || i == 1) << i;
}

TEST(MakeInputs, ScatterGetsIndicesAndFiniteSourceRows) {
  std::vector<HostTensor> in = inputs_of("Scatter dim1=64x16 dim2=1000");
  ASSERT_EQ(in.size(), 2u);
  EXPECT_EQ(in[0].name, "idx");
  EXPECT_EQ(in[0].dtype, DType::Int64);
  EXPECT_EQ(in[0].shape, (Shape{1000}));
  EXPECT_EQ(in[1].name, "src");
  EXPECT_EQ(in[1].dtype, DType::Float32);
  EXPECT_EQ(in[1].shape, (Shape{1000, 16}));
  ASSERT_EQ(in[1].f32.size(), 1000u * 16u);
  for (float v : in[1].f32) ASSERT_TRUE(std::isfinite(v));
  for (int64_t i : in[0].i64) ASSERT_TRUE(i >= 0 && i < 63) << i;
  // Rows of a normal matrix: not all zero, not all equal.
  EXPECT_NE(std::count(in[1].f32.begin(), in[1].f32.end(), 0.0f), static_cast<long>(in[1].f32.size()));
  EXPECT_NE(std::set<float>(in[1].f32.begin(), in[1].f32.end()).size(), 1u);
}

TEST(MakeInputs, NormalInputsHaveMeanZeroAndVarianceOne) {
  std::vector<HostTensor> in = inputs_of("ReLU dim1=100000", 42);
  const auto& x = in[0].f32;
  double sum = 0, squares = 0;
  for (float v : x) {
    ASSERT_TRUE(std::isfinite(v));
    sum += v;
  }
  double mean = sum / x.size();
  for (float v : x) squares += (v - mean) * (v - mean);
  double variance = squares / (x.size() - 1);
  // The standard errors are 0.003 and 0.0045: these bounds are ~7 of them.
  EXPECT_NEAR(mean, 0.0, 0.02);
  EXPECT_NEAR(variance, 1.0, 0.03);
  size_t negative = std::count_if(x.begin(), x.end(), [](float v) { return v < 0; });
  EXPECT_NEAR(static_cast<double>(negative) / x.size(), 0.5, 0.01);
}

}  // namespace
}  // namespace opbench
