package io.sluice.portability.operators;

import io.sluice.translation.operators.timely.TimelyKeyState;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.beam.model.fnexecution.v1.BeamFnApi.ProcessBundleRequest.CacheToken;
import org.apache.beam.model.fnexecution.v1.BeamFnApi.StateAppendResponse;
import org.apache.beam.model.fnexecution.v1.BeamFnApi.StateClearResponse;
import org.apache.beam.model.fnexecution.v1.BeamFnApi.StateGetResponse;
import org.apache.beam.model.fnexecution.v1.BeamFnApi.StateKey;
import org.apache.beam.model.fnexecution.v1.BeamFnApi.StateRequest;
import org.apache.beam.model.fnexecution.v1.BeamFnApi.StateResponse;
import org.apache.beam.runners.core.StateNamespace;
import org.apache.beam.runners.core.StateNamespaces;
import org.apache.beam.runners.core.StateTag;
import org.apache.beam.runners.core.StateTags;
import org.apache.beam.runners.fnexecution.state.StateRequestHandler;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.model.pipeline.v1.RunnerApi;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.VoidCoder;
import org.apache.beam.sdk.util.construction.RehydratedComponents;
import org.apache.beam.sdk.util.construction.graph.ExecutableStage;
import org.apache.beam.sdk.util.construction.graph.UserStateReference;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.MultimapState;
import org.apache.beam.sdk.state.OrderedListState;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.util.VarInt;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.vendor.grpc.v1p69p0.com.google.protobuf.ByteString;
import org.joda.time.Instant;

/**
 * Serves the user state an SDK harness asks for over the Fn API from Sluice's keyed state (heap or
 * RocksDB, checkpointed with the rest of the operator): bags (which SDKs also use for values,
 * combining and set state), multimaps with their keys and entries (Java's map, set and multimap
 * state), and ordered lists. What an SDK appends is kept as the bytes it sent: a bag holds each
 * append as one entry and answers with their concatenation, so the runner never needs the SDK's
 * value coder. An ordered list splits what it is sent into the (sort key, length-prefixed value)
 * pairs the Fn API prescribes, to keep it sorted; a multimap splits its appends into values where
 * the runner knows the value coder, to count each key's values when asked for its entries.
 *
 * <p>Called on the harness's state stream thread, and only while a bundle of the operator is open:
 * the subtask's thread then leaves the keyed state alone (see {@link ExecutableStageOperator}).
 */
final class UserStateRequests implements StateRequestHandler {

  /** How many bytes one answer carries at most; the harness asks again with the token for the rest. */
  private static final int PAGE_BYTES = 1 << 20;

  private final TimelyKeyState keyState;
  private final Coder<BoundedWindow> windowCoder;
  /**
   * Valid while this operator instance lives: its harness then sees every change of this state, so
   * what it cached in one bundle holds in the next. A restore makes a new instance and a new token.
   */
  private final CacheToken cacheToken = CacheToken.newBuilder()
      .setUserState(CacheToken.UserState.getDefaultInstance())
      .setToken(ByteString.copyFrom(UUID.randomUUID().toString(), StandardCharsets.UTF_8))
      .build();

  /**
   * The value coders of the stage's multimap states (Java's map, set and multimap state), by state
   * id, where the runner knows them: a multimap's appends are split into values with them, so that
   * its entries can be answered with each key's values counted. Fixed at open.
   */
  private final Map<String, Coder<?>> multimapValueCoders;

  UserStateRequests(TimelyKeyState keyState, Coder<BoundedWindow> windowCoder,
      Map<String, Coder<?>> multimapValueCoders) {
    this.keyState = keyState;
    this.windowCoder = windowCoder;
    this.multimapValueCoders = multimapValueCoders;
  }

  /**
   * The value coders of {@code stage}'s multimap states that this JVM can instantiate (an SDK's own
   * coders it cannot: those states answer no entries requests, and their harnesses do not ask).
   */
  static Map<String, Coder<?>> multimapValueCoders(ExecutableStage stage) {
    Map<String, Coder<?>> coders = new HashMap<>();
    RehydratedComponents components = RehydratedComponents.forComponents(stage.getComponents());
    for (UserStateReference state : stage.getUserStates()) {
      try {
        RunnerApi.StateSpec spec = RunnerApi.ParDoPayload.parseFrom(
            state.transform().getTransform().getSpec().getPayload()).getStateSpecsOrThrow(state.localName());
        Coder<?> coder = spec.hasMultimapSpec() ? components.getCoder(spec.getMultimapSpec().getValueCoderId())
            : spec.hasMapSpec() ? components.getCoder(spec.getMapSpec().getValueCoderId())
            : spec.hasSetSpec() ? VoidCoder.of() : null;
        if (coder != null) {
          coders.put(id(state.transform().getId(), state.localName()), coder);
        }
      } catch (IOException | RuntimeException e) {
        // Not a coder of this JVM: appends stay whole.
      }
    }
    return coders;
  }

  @Override
  public Iterable<CacheToken> getCacheTokens() {
    return List.of(cacheToken);
  }

  @Override
  public CompletionStage<StateResponse.Builder> handle(StateRequest request) throws Exception {
    StateKey key = request.getStateKey();
    StateResponse.Builder response = switch (key.getTypeCase()) {
      case BAG_USER_STATE -> bag(request, key.getBagUserState());
      case MULTIMAP_USER_STATE -> multimap(request, key.getMultimapUserState());
      case MULTIMAP_KEYS_USER_STATE -> multimapKeys(request, key.getMultimapKeysUserState());
      case MULTIMAP_ENTRIES_USER_STATE -> multimapEntries(request, key.getMultimapEntriesUserState());
      case ORDERED_LIST_USER_STATE -> orderedList(request, key.getOrderedListUserState());
      default -> throw new UnsupportedOperationException("Sluice does not serve " + key.getTypeCase()
          + " state requests: " + key);
    };
    return CompletableFuture.completedFuture(response);
  }

  private StateResponse.Builder bag(StateRequest request, StateKey.BagUserState key) throws IOException {
    BagState<byte[]> bag = state(key.getKey(), key.getWindow(),
        StateTags.bag(id(key.getTransformId(), key.getUserStateId()), ByteArrayCoder.of()));
    return switch (request.getRequestCase()) {
      case GET -> page(bag.read().iterator(), request.getGet().getContinuationToken());
      case APPEND -> {
        bag.add(request.getAppend().getData().toByteArray());
        yield appended();
      }
      case CLEAR -> {
        bag.clear();
        yield cleared();
      }
      default -> throw unknown(request);
    };
  }

  private StateResponse.Builder multimap(StateRequest request, StateKey.MultimapUserState key) throws IOException {
    MultimapState<byte[], byte[]> map = multimapState(key.getTransformId(), key.getUserStateId(), key.getKey(),
        key.getWindow());
    byte[] mapKey = key.getMapKey().toByteArray();
    return switch (request.getRequestCase()) {
      case GET -> page(map.get(mapKey).read().iterator(), request.getGet().getContinuationToken());
      case APPEND -> {
        for (byte[] value : values(id(key.getTransformId(), key.getUserStateId()), request.getAppend().getData())) {
          map.put(mapKey, value);
        }
        yield appended();
      }
      case CLEAR -> {
        map.remove(mapKey);
        yield cleared();
      }
      default -> throw unknown(request);
    };
  }

  private StateResponse.Builder multimapKeys(StateRequest request, StateKey.MultimapKeysUserState key)
      throws IOException {
    MultimapState<byte[], byte[]> map = multimapState(key.getTransformId(), key.getUserStateId(), key.getKey(),
        key.getWindow());
    return switch (request.getRequestCase()) {
      case GET -> page(map.keys().read().iterator(), request.getGet().getContinuationToken());
      case CLEAR -> {
        map.clear();
        yield cleared();
      }
      default -> throw unknown(request);
    };
  }

  /**
   * Each key with its values, as KV(key, iterable of values): the values counted, which needs the
   * appends split by the state's value coder.
   */
  private StateResponse.Builder multimapEntries(StateRequest request, StateKey.MultimapEntriesUserState key)
      throws IOException {
    String state = id(key.getTransformId(), key.getUserStateId());
    MultimapState<byte[], byte[]> map = multimapState(key.getTransformId(), key.getUserStateId(), key.getKey(),
        key.getWindow());
    return switch (request.getRequestCase()) {
      case GET -> {
        if (!multimapValueCoders.containsKey(state)) {
          throw new UnsupportedOperationException("multimap state " + state + " has a value coder the runner does"
              + " not know, so it cannot count a key's values for an entries request");
        }
        List<byte[]> entries = new ArrayList<>();
        for (byte[] mapKey : map.keys().read()) {
          ByteArrayOutputStream entry = new ByteArrayOutputStream();
          entry.write(mapKey);
          List<byte[]> values = new ArrayList<>();
          map.get(mapKey).read().forEach(values::add);
          new DataOutputStream(entry).writeInt(values.size());
          for (byte[] value : values) {
            entry.write(value);
          }
          entries.add(entry.toByteArray());
        }
        yield page(entries.iterator(), request.getGet().getContinuationToken());
      }
      case CLEAR -> {
        map.clear();
        yield cleared();
      }
      default -> throw unknown(request);
    };
  }

  /**
   * What one append to multimap state {@code state} holds, value by value where the state's value
   * coder is known (a coder that writes nothing, a set's, makes one value per append), else whole.
   */
  private List<byte[]> values(String state, ByteString data) throws IOException {
    Coder<?> coder = multimapValueCoders.get(state);
    if (coder == null || coder instanceof VoidCoder) {
      return List.of(data.toByteArray());
    }
    List<byte[]> values = new ArrayList<>();
    byte[] bytes = data.toByteArray();
    java.io.ByteArrayInputStream in = new java.io.ByteArrayInputStream(bytes);
    while (in.available() > 0) {
      int start = bytes.length - in.available();
      coder.decode(in);
      values.add(java.util.Arrays.copyOfRange(bytes, start, bytes.length - in.available()));
    }
    return values;
  }

  private MultimapState<byte[], byte[]> multimapState(String transform, String stateId, ByteString userKey,
      ByteString window) throws IOException {
    // Map keys arrive encoded, so the runner's map compares them by their bytes, as Beam requires.
    return state(userKey, window, StateTags.multimap(id(transform, stateId), ByteArrayCoder.of(), ByteArrayCoder.of()));
  }

  private StateResponse.Builder orderedList(StateRequest request, StateKey.OrderedListUserState key)
      throws IOException {
    OrderedListState<byte[]> list = state(key.getKey(), key.getWindow(),
        StateTags.orderedList(id(key.getTransformId(), key.getUserStateId()), ByteArrayCoder.of()));
    Instant from = new Instant(key.getRange().getStart());
    Instant to = new Instant(key.getRange().getEnd());
    return switch (request.getRequestCase()) {
      case GET -> {
        Iterator<TimestampedValue<byte[]>> entries = list.readRange(from, to).iterator();
        yield page(new Iterator<>() {
          @Override
          public boolean hasNext() {
            return entries.hasNext();
          }

          @Override
          public byte[] next() {
            return sortedEntry(entries.next());
          }
        }, request.getGet().getContinuationToken());
      }
      case APPEND -> {
        InputStream in = request.getAppend().getData().newInput();
        while (in.available() > 0) {
          long sortKey = VarInt.decodeLong(in);
          byte[] value = new byte[VarInt.decodeInt(in)];
          if (in.readNBytes(value, 0, value.length) != value.length) {
            throw new IOException("an ordered list append ends inside a value: " + key);
          }
          list.add(TimestampedValue.of(value, new Instant(sortKey)));
        }
        yield appended();
      }
      case CLEAR -> {
        list.clearRange(from, to);
        yield cleared();
      }
      default -> throw unknown(request);
    };
  }

  /** An ordered list's entry as the Fn API sends it: the sort key, then the value length-prefixed. */
  private static byte[] sortedEntry(TimestampedValue<byte[]> entry) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(entry.getValue().length + 15);
    try {
      VarInt.encode(entry.getTimestamp().getMillis(), out);
      VarInt.encode(entry.getValue().length, out);
      out.write(entry.getValue());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toByteArray();
  }

  /** The state {@code tag} of the user key and window the request names (encoded as the harness sent them). */
  private <T extends org.apache.beam.sdk.state.State> T state(ByteString userKey, ByteString window, StateTag<T> tag)
      throws IOException {
    keyState.setKey(userKey.toByteArray(), null);
    BoundedWindow decoded = windowCoder.decode(window.newInput());
    StateNamespace namespace = StateNamespaces.window(windowCoder, decoded);
    return keyState.stateInternals().state(namespace, tag);
  }

  private static String id(String transform, String stateId) {
    return transform.length() + ":" + transform + ":" + stateId;
  }

  /**
   * One page of entries, after the {@code token}-th: a page ends once it holds {@link #PAGE_BYTES},
   * and says where the next one starts. The harness reads every page of one answer within its
   * bundle, while nothing else changes the state.
   */
  private static StateResponse.Builder page(Iterator<byte[]> entries, ByteString token) {
    long skip = token.isEmpty() ? 0 : Long.parseLong(token.toStringUtf8());
    for (long i = 0; i < skip && entries.hasNext(); i++) {
      entries.next();
    }
    ByteString.Output data = ByteString.newOutput();
    long taken = skip;
    while (entries.hasNext() && data.size() < PAGE_BYTES) {
      byte[] entry = entries.next();
      data.write(entry, 0, entry.length);
      taken++;
    }
    StateGetResponse.Builder get = StateGetResponse.newBuilder().setData(data.toByteString());
    if (entries.hasNext()) {
      get.setContinuationToken(ByteString.copyFromUtf8(Long.toString(taken)));
    }
    return StateResponse.newBuilder().setGet(get);
  }

  private static StateResponse.Builder appended() {
    return StateResponse.newBuilder().setAppend(StateAppendResponse.getDefaultInstance());
  }

  private static StateResponse.Builder cleared() {
    return StateResponse.newBuilder().setClear(StateClearResponse.getDefaultInstance());
  }

  private static UnsupportedOperationException unknown(StateRequest request) {
    return new UnsupportedOperationException("a " + request.getRequestCase() + " request on "
        + request.getStateKey().getTypeCase() + " state");
  }
}
