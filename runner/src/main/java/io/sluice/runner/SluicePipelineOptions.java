package io.sluice.runner;

import io.sluice.translation.options.RecoveryOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.DefaultValueFactory;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.FileStagingOptions;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.StreamingOptions;

/**
 * The options of {@link SluiceRunner}.
 *
 * <p>Beam merges the options interfaces of every runner on the classpath into one, so an option
 * that shares its name with another runner's (the FlinkRunner's above all: users migrate with both
 * on the classpath) has that runner's type and {@code @Default} annotation, and a compatible
 * meaning; a conflict would break every pipeline in the JVM. Where the other runner's default is a
 * class of its own, Sluice's option has another name. The options of state and recovery, which a
 * portable job reads too, are {@link RecoveryOptions}.
 */
public interface SluicePipelineOptions extends PipelineOptions, StreamingOptions, FileStagingOptions, RecoveryOptions {

  @Description("How many parallel subtasks each stage of the job runs. -1 (the default, as in FlinkPipelineOptions)"
      + " means the number of available cores.")
  @Default.Integer(-1)
  Integer getParallelism();

  void setParallelism(Integer parallelism);

  @Description("The number of key groups: keyed state and hash edges are split into this many groups, each stage's"
      + " subtasks own contiguous ranges of them, so it bounds every stage's parallelism and stays fixed for the life of"
      + " a job and its checkpoints. -1 (the default, as in FlinkPipelineOptions) means 128; at most 32768.")
  @Default.Integer(-1)
  Integer getMaxParallelism();

  void setMaxParallelism(Integer maxParallelism);

  // Not "maxBundleSize": the FlinkRunner's option of that name has a @Default naming a class of its own,
  // and Beam requires a shared option to carry the same @Default in every interface that declares it.
  @Description("The most elements a DoFn sees in one bundle (between @StartBundle and @FinishBundle); the"
      + " FlinkRunner's --maxBundleSize.")
  @Default.Integer(1000)
  Integer getMaxElementsPerBundle();

  void setMaxElementsPerBundle(Integer maxElements);

  @Description("Heap, in MiB, that one grouping operator (GroupByKey, stateful ParDo input, partial combine) may fill"
      + " before it spills sorted runs to disk. Defaults to the maximum heap divided by 4 x parallelism, at least 8 MiB.")
  @Default.InstanceFactory(OperatorMemoryBudget.class)
  int getOperatorMemoryMb();

  void setOperatorMemoryMb(int megabytes);

  @Description("Directory under which a job keeps its spill files; the job's own subdirectory is removed when it ends."
      + " Defaults to java.io.tmpdir.")
  @Default.InstanceFactory(TempDirectory.class)
  String getSpillDirectory();

  void setSpillDirectory(String directory);

  @Description("How many frames (pages of records, up to 32 KiB each) one input channel buffers before its producer"
      + " blocks; a subtask has one channel per producing subtask of each input edge. Rounded up to a power of two.")
  @Default.Integer(8)
  int getChannelCapacity();

  void setChannelCapacity(int frames);

  @Description("Directory under which a job keeps its RocksDB state files; the job's own subdirectory is removed when"
      + " it ends. Defaults to java.io.tmpdir.")
  @Default.InstanceFactory(TempDirectory.class)
  String getStateDirectory();

  void setStateDirectory(String directory);

  @Description("Off-heap memory, in MiB, that the RocksDB instance of one stateful operator subtask may use for its"
      + " block cache and write buffers.")
  @Default.Integer(64)
  int getStateMemoryMb();

  void setStateMemoryMb(int megabytes);

  @Description("Where the job runs: [local] (the default) in this JVM; [local-cluster:N] on a coordinator and N"
      + " worker processes started on this machine for the job's lifetime; HOST:PORT on a running coordinator, to"
      + " which the job's jars (--filesToStage, else the class path) are staged.")
  @Default.String("[local]")
  String getCoordinator();

  void setCoordinator(String coordinator);

  @Description("The cluster's shared secret (at least 16 bytes), which every connection proves it knows: this, else"
      + " the file --clusterSecretFile names, else the environment variable SLUICE_CLUSTER_SECRET.")
  String getClusterSecret();

  void setClusterSecret(String secret);

  @Description("A file holding the cluster's shared secret (its first line).")
  String getClusterSecretFile();

  void setClusterSecretFile(String file);

  @Description("The cluster's TLS key store (PKCS#12), when the cluster runs over TLS (its --tlsKeyStore).")
  String getClusterTlsKeyStore();

  void setClusterTlsKeyStore(String file);

  @Description("The password of --clusterTlsKeyStore.")
  String getClusterTlsKeyStorePassword();

  void setClusterTlsKeyStorePassword(String password);

  @Description("Whether run() waits for the job to finish (and throws if it failed), as Beam's test pipelines expect.")
  @Default.Boolean(true)
  boolean isBlockOnRun();

  void setBlockOnRun(boolean blockOnRun);

  /**
   * A quarter of the heap shared by the subtasks of one stage, at least 8 MiB: every subtask of a
   * grouping stage buffers at once, and a downstream grouping may fill while an upstream one drains.
   */
  class OperatorMemoryBudget implements DefaultValueFactory<Integer> {
    @Override
    public Integer create(PipelineOptions options) {
      int parallelism = Math.max(1, OptionValues.parallelism(options.as(SluicePipelineOptions.class)));
      return (int) Math.max(8, Runtime.getRuntime().maxMemory() / (4L * parallelism) / (1024 * 1024));
    }
  }

  /** java.io.tmpdir. */
  class TempDirectory implements DefaultValueFactory<String> {
    @Override
    public String create(PipelineOptions options) {
      return System.getProperty("java.io.tmpdir");
    }
  }
}
